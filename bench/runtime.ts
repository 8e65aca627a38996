// Runtime figures: time until the images are ready (a cold build, or a check of the cached tags), image size, and the
// container start-to-exit time of a tiny train job run in the full sandbox. One figure per line.
//   node bench/runtime.ts        (npm run bench:runtime)
import Docker from "dockerode";
import { classificationCsv, createWorkspace } from "../runtimes/test/fixtures.ts";
import { buildRuntimeImages } from "../runtimes/test/images.ts";

const RUNS = 3;
const docker = new Docker();

const buildStart = performance.now();
const images = await buildRuntimeImages();
const buildSeconds = (performance.now() - buildStart) / 1000;
const info = await docker.getImage(images.torch).inspect();

const work = createWorkspace(docker);
const times: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const job = await work.run(images.torch, {
      spec: {
        kind: "train",
        seed: 1,
        runtime: {
          data: { file: "train.csv", features: ["x1", "x2"], label: "label" },
          model: { type: "mlp", task: "classification", hidden: [16], classes: 3 },
        },
        hyperparameters: { epochs: 2, batchSize: 16, learningRate: 0.1 },
      },
      data: { "train.csv": classificationCsv(200) },
    });
    if (job.run.exitCode !== 0) throw new Error(`tiny train job failed: ${job.run.lastErrorLine}`);
    times.push(job.run.startToExitMs / 1000);
  }
} finally {
  work.dispose();
}
times.sort((a, b) => a - b);

console.log(`image_ready_s: ${buildSeconds.toFixed(1)}`);
console.log(`image_size_mb: ${Math.round(info.Size / 1024 ** 2)}`);
console.log(`train_start_to_exit_s: ${times[Math.floor(RUNS / 2)]!.toFixed(2)}`);
