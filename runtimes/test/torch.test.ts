// The torch CPU image, run as the node agent runs it: deterministic training (equal output roots),
// inference from the trained checkpoint, and one clear failure line for each kind of bad input.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outputRootOfDirectory } from "../../sdk/src/outputs/outputRoot.node.ts";
import {
  classificationCsv,
  createWorkspace,
  type JobOutcome,
  npyFloat32,
  regressionRows,
  trainSpec,
} from "./fixtures.ts";
import { buildRuntimeImages } from "./images.ts";

const docker = new Docker();
const work = createWorkspace(docker);
let image: string;
let trained: JobOutcome;

const CSV = classificationCsv(240);
const read = (dir: string, rel: string) => readFileSync(join(dir, rel));

/** Parses a safetensors file independently of the runtime's own reader. */
function safetensorsHeader(raw: Buffer): {
  headerText: string;
  header: Record<string, { data_offsets: number[] }>;
} {
  const n = Number(raw.readBigUInt64LE(0));
  const headerText = raw.subarray(8, 8 + n).toString("utf8");
  return { headerText, header: JSON.parse(headerText) };
}

function expectFailure(job: JobOutcome, exitCode: number, code: string, reason: RegExp): void {
  expect(job.run.exitCode, job.run.stderr).toBe(exitCode);
  expect(job.run.lastErrorLine).toMatch(new RegExp(`^artha: error \\(${code}\\): `));
  expect(job.run.lastErrorLine).toMatch(reason);
  expect(job.result).toMatchObject({ status: "failed", error: { code } });
}

beforeAll(async () => {
  image = (await buildRuntimeImages()).torch;
  trained = await work.run(image, { spec: trainSpec(), data: { "train.csv": CSV } });
});
afterAll(() => work.dispose());

describe("torch runtime: train", () => {
  it("trains, writes checkpoints with sidecars, final weights and metrics", async () => {
    expect(trained.run.exitCode, trained.run.stderr).toBe(0);
    const result = trained.result as {
      status: string;
      metrics: Record<string, number | number[]>;
      outputs: unknown[];
    };
    expect(result.status).toBe("succeeded");
    const m = result.metrics;
    expect(m.steps).toBe(4 * Math.ceil(180 / 16));
    expect(m.trainRows).toBe(180);
    expect(m.evalRows).toBe(60);
    const losses = m.lossPerEpoch as number[];
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]!);
    expect(m.trainAccuracy).toBeGreaterThan(0.85);
    expect(m.evalAccuracy).toBeGreaterThan(0.8);

    // Declared outputs are exactly the files on disk other than result.json, with their hashes.
    const { entries } = await outputRootOfDirectory(trained.outDir);
    const onDisk = entries.filter((e) => e.path !== "result.json");
    expect(result.outputs.map((o) => (o as { path: string }).path)).toEqual(onDisk.map((e) => e.path));
    for (const o of result.outputs as { path: string; sha256: string; size: number }[]) {
      expect(onDisk.find((e) => e.path === o.path)).toMatchObject({ sha256: o.sha256, size: o.size });
    }
    expect(onDisk.map((e) => e.path)).toContain("checkpoints/step-00000020.safetensors");
    expect(onDisk.map((e) => e.path)).toContain("checkpoints/step-00000040.json");

    // Weights: safetensors with sorted keys and contiguous offsets; the sidecar names their sha256.
    const raw = read(trained.outDir, "model.safetensors");
    const { headerText, header } = safetensorsHeader(raw);
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    expect(names).toEqual(["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"]);
    expect(headerText.trimEnd()).toBe(JSON.stringify(JSON.parse(headerText)));
    expect((8 + Buffer.byteLength(headerText)) % 8).toBe(0);
    expect(header["layers.0.weight"]).toMatchObject({ dtype: "F32", shape: [16, 2] });
    let offset = 0;
    for (const name of names) {
      expect(header[name]!.data_offsets[0]).toBe(offset);
      offset = header[name]!.data_offsets[1]!;
    }
    expect(8 + Buffer.byteLength(headerText) + offset).toBe(raw.length);
    const sidecar = JSON.parse(read(trained.outDir, "model.json").toString());
    expect(sidecar).toMatchObject({
      format: "safetensors",
      weights: "model.safetensors",
      step: m.steps,
      size: raw.length,
    });
    expect(sidecar.sha256).toBe(createHash("sha256").update(raw).digest("hex"));
    expect(sidecar.model).toEqual({
      type: "mlp",
      task: "classification",
      inputs: 2,
      hidden: [16],
      activation: "relu",
      classes: 3,
    });
    const step20 = JSON.parse(read(trained.outDir, "checkpoints/step-00000020.json").toString());
    expect(step20).toMatchObject({ step: 20, epoch: 2 });
    expect(step20.metrics.loss).toEqual(expect.any(Number));
  });

  it("gives the same output root when run again (different job id, same spec and data)", async () => {
    const again = await work.run(image, { spec: trainSpec(), data: { "train.csv": CSV } });
    expect(again.run.exitCode, again.run.stderr).toBe(0);
    const a = await outputRootOfDirectory(trained.outDir);
    const b = await outputRootOfDirectory(again.outDir);
    expect(b.manifest).toBe(a.manifest);
    expect(b.root).toBe(a.root);
  });

  it("gives a different output root for a different seed", async () => {
    const other = await work.run(image, { spec: trainSpec({ seed: 8 }), data: { "train.csv": CSV } });
    expect(other.run.exitCode, other.run.stderr).toBe(0);
    expect((await outputRootOfDirectory(other.outDir)).root).not.toBe(
      (await outputRootOfDirectory(trained.outDir)).root,
    );
  });

  it("trains a regression model from .npy with adam, and continues from initial weights", async () => {
    const npy = npyFloat32(regressionRows(256));
    const spec = (init?: string) => ({
      kind: "train",
      seed: 3,
      runtime: {
        data: { file: "xy.npy", features: [0, 1], label: 2 },
        model: {
          type: "mlp",
          task: "regression",
          hidden: [8],
          activation: "tanh",
          ...(init ? { init } : {}),
        },
      },
      hyperparameters: { epochs: 5, batchSize: 32, learningRate: 0.01, optimizer: "adam" },
    });
    const first = await work.run(image, { spec: spec(), data: { "xy.npy": npy } });
    expect(first.run.exitCode, first.run.stderr).toBe(0);
    const firstLosses = (first.result as { metrics: { lossPerEpoch: number[] } }).metrics.lossPerEpoch;
    expect(firstLosses.at(-1)!).toBeLessThan(firstLosses[0]!);
    const second = await work.run(image, {
      spec: spec("start.safetensors"),
      data: { "xy.npy": npy },
      model: { "start.safetensors": read(first.outDir, "model.safetensors") },
    });
    expect(second.run.exitCode, second.run.stderr).toBe(0);
    const secondLosses = (second.result as { metrics: { lossPerEpoch: number[] } }).metrics.lossPerEpoch;
    // Starting from trained weights, the first epoch is already better than where the first run ended.
    expect(secondLosses[0]!).toBeLessThan(firstLosses.at(-1)!);
  });
});

describe("torch runtime: infer", () => {
  it("predicts with the trained checkpoint and its sidecar", async () => {
    const job = await work.run(image, {
      spec: {
        kind: "infer",
        seed: 7,
        runtime: { data: { file: "all.csv", features: ["x1", "x2"], label: "label" } },
      },
      data: { "all.csv": CSV },
      model: {
        "model.safetensors": read(trained.outDir, "model.safetensors"),
        "model.json": read(trained.outDir, "model.json"),
      },
    });
    expect(job.run.exitCode, job.run.stderr).toBe(0);
    const lines = read(job.outDir, "predictions.csv").toString().trim().split("\n");
    expect(lines[0]).toBe("index,prediction");
    expect(lines).toHaveLength(241);
    const labels = CSV.trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",")[2]);
    const correct = lines.slice(1).filter((l, i) => l === `${i},${labels[i]}`).length;
    const result = job.result as { status: string; metrics: { rows: number; accuracy: number } };
    expect(result.status).toBe("succeeded");
    expect(result.metrics.rows).toBe(240);
    expect(result.metrics.accuracy).toBeCloseTo(correct / 240, 10);
    expect(result.metrics.accuracy).toBeGreaterThan(0.8);
  });
});

describe("torch runtime: bad input ends with one clear line and a non-zero exit", () => {
  const data = { "train.csv": CSV };
  const model = () => ({
    "model.safetensors": read(trained.outDir, "model.safetensors"),
    "model.json": read(trained.outDir, "model.json"),
  });

  it("missing dataset", async () => {
    const spec = trainSpec();
    spec.runtime.data.file = "nope.csv";
    const job = await work.run(image, { spec, data });
    expectFailure(
      job,
      2,
      "missing-dataset",
      /dataset data\/nope\.csv does not exist under \/artha\/in\/data$/,
    );
  });

  it("unknown column", async () => {
    const spec = trainSpec();
    spec.runtime.data.features = ["x1", "x9"];
    const job = await work.run(image, { spec, data });
    expectFailure(
      job,
      2,
      "unknown-column",
      /dataset data\/train\.csv has no column "x9" \(its columns: x1, x2, label\)$/,
    );
  });

  it("malformed spec: not JSON", async () => {
    const job = await work.run(image, { spec: '{"kind": "train", "seed": 7,', data });
    expectFailure(job, 2, "invalid-spec", /spec\.json is not valid JSON: /);
  });

  it("malformed spec: a field of the wrong type", async () => {
    const spec = trainSpec();
    (spec.hyperparameters as Record<string, unknown>).batchSize = "16";
    const job = await work.run(image, { spec, data });
    expectFailure(
      job,
      2,
      "invalid-spec",
      /spec\.json: hyperparameters\.batchSize: expected an integer >= 1, got "16"$/,
    );
  });

  it("malformed spec: no kind", async () => {
    const { kind: _, ...spec } = trainSpec();
    const job = await work.run(image, { spec, data });
    expectFailure(job, 2, "invalid-spec", /spec\.json: kind: missing; expected train or infer$/);
  });

  it("a seed in the environment that disagrees with the spec", async () => {
    const job = await work.run(image, { spec: trainSpec(), data, run: { env: { ARTHA_SEED: "8" } } });
    expectFailure(job, 2, "invalid-spec", /ARTHA_SEED=8 disagrees with spec\.json seed 7$/);
  });

  it("NaN loss", async () => {
    const job = await work.run(image, {
      spec: {
        kind: "train",
        seed: 1,
        runtime: {
          data: { file: "xy.npy", features: [0, 1], label: 2 },
          model: { type: "mlp", task: "regression", hidden: [8] },
        },
        hyperparameters: { epochs: 50, batchSize: 8, learningRate: 1e12 },
      },
      data: { "xy.npy": npyFloat32(regressionRows(64)) },
    });
    expectFailure(
      job,
      3,
      "non-finite-loss",
      /loss is (nan|inf) at epoch \d+ step \d+: training diverged \(learningRate 1000000000000\)/,
    );
  });

  it("a checkpoint that does not match the declared model (infer)", async () => {
    const job = await work.run(image, {
      spec: {
        kind: "infer",
        seed: 7,
        runtime: {
          data: { file: "train.csv", features: ["x1", "x2"] },
          model: { type: "mlp", task: "classification", hidden: [4], classes: 3 },
        },
      },
      data,
      model: model(),
    });
    expectFailure(
      job,
      2,
      "checkpoint-mismatch",
      /checkpoint model\/model\.safetensors: tensor layers\.0\.bias has shape \[16\], the declared model expects \[4\]$/,
    );
  });

  it("initial weights that do not match the declared model (train)", async () => {
    const spec = trainSpec();
    spec.runtime.model = {
      ...spec.runtime.model,
      hidden: [16, 16],
      init: "model.safetensors",
    } as typeof spec.runtime.model;
    const job = await work.run(image, { spec, data, model: model() });
    expectFailure(
      job,
      2,
      "checkpoint-mismatch",
      /checkpoint model\/model\.safetensors: tensor layers\.1\.bias has shape \[3\], the declared model expects \[16\]$/,
    );
  });

  it("weights that do not match their sidecar's sha256", async () => {
    const tampered = Buffer.from(read(trained.outDir, "model.safetensors"));
    tampered[tampered.length - 1]! ^= 1;
    const job = await work.run(image, {
      spec: { kind: "infer", seed: 7, runtime: { data: { file: "train.csv", features: ["x1", "x2"] } } },
      data,
      model: { ...model(), "model.safetensors": tampered },
    });
    expectFailure(job, 2, "checkpoint-mismatch", /does not match its sidecar model\.json/);
  });

  it("a checkpoint that is not safetensors", async () => {
    const job = await work.run(image, {
      spec: trainSpec({
        runtime: { ...trainSpec().runtime, model: { ...trainSpec().runtime.model, init: "bad.safetensors" } },
      }),
      data,
      model: { "bad.safetensors": "PK\u0003\u0004 this is a pickle zip, not safetensors" },
    });
    expectFailure(
      job,
      2,
      "invalid-checkpoint",
      /checkpoint model\/bad\.safetensors is not a valid safetensors file: /,
    );
  });

  it("a label that is not a class index", async () => {
    const job = await work.run(image, { spec: trainSpec(), data: { "train.csv": `${CSV}0.5,0.5,7\n` } });
    expectFailure(
      job,
      2,
      "invalid-dataset",
      /dataset data\/train\.csv row 240: label 7 is not a class index in \[0, 3\)$/,
    );
  });
});
