// Job directories and small datasets for the runtime tests, generated here so nothing is fetched.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import {
  type JobRunOptions,
  type JobRunOutput,
  jobEnvironment,
  prepareOutputDir,
  runJobContainer,
} from "../../node-agent/src/cluster/index.ts";

/** A seeded PRNG (mulberry32), so every generated dataset is the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Three separable classes over two features: the class is the largest of x1, x2, -(x1+x2)/2. */
export function classificationCsv(rows: number, seed = 1): string {
  const rand = prng(seed);
  let csv = "x1,x2,label\n";
  for (let i = 0; i < rows; i++) {
    const x1 = rand() * 2 - 1;
    const x2 = rand() * 2 - 1;
    const scores = [x1, x2, -(x1 + x2) / 2];
    const label = scores.indexOf(Math.max(...scores));
    csv += `${x1.toFixed(4)},${x2.toFixed(4)},${label}\n`;
  }
  return csv;
}

/** The small train job the tests, the agent tests and the devnet run: a seeded MLP on `classificationCsv`. */
export const trainSpec = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  kind: "train",
  seed: 7,
  runtime: {
    data: { file: "train.csv", features: ["x1", "x2"], label: "label" },
    model: { type: "mlp", task: "classification", hidden: [16], activation: "relu", classes: 3 },
  },
  hyperparameters: {
    epochs: 4,
    batchSize: 16,
    learningRate: 0.1,
    momentum: 0.9,
    checkpointEvery: 20,
    evalFraction: 0.25,
  },
  ...overrides,
});

/** A .npy file (format 1.0) holding a little-endian float32 matrix. */
export function npyFloat32(rows: readonly (readonly number[])[]): Buffer {
  const cols = rows[0]?.length ?? 0;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${cols}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  header += `${" ".repeat(63 - ((10 + header.length) % 64))}\n`;
  const data = Buffer.alloc(rows.length * cols * 4);
  rows.forEach((row, i) => {
    row.forEach((v, j) => {
      data.writeFloatLE(v, (i * cols + j) * 4);
    });
  });
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from("NUMPY"),
    Buffer.from([1, 0]),
    len,
    Buffer.from(header),
    data,
  ]);
}

/** y = 2 x0 - 3 x1 + 0.5 plus a little noise, columns [x0, x1, y]. */
export function regressionRows(rows: number, seed = 2): number[][] {
  const rand = prng(seed);
  return Array.from({ length: rows }, () => {
    const x0 = rand() * 2 - 1;
    const x1 = rand() * 2 - 1;
    return [x0, x1, 2 * x0 - 3 * x1 + 0.5 + (rand() - 0.5) * 0.01];
  });
}

export interface JobInput {
  /** The spec as an object, or raw text (to test a malformed one). */
  readonly spec: unknown;
  readonly data?: Readonly<Record<string, string | Buffer>>;
  readonly model?: Readonly<Record<string, string | Buffer>>;
  /** Extra options for the container (image and mounts are filled in). */
  readonly run?: Partial<JobRunOptions>;
}

export interface JobOutcome {
  readonly run: JobRunOutput;
  readonly outDir: string;
  readonly dir: string;
  /** Parsed /artha/out/result.json, or undefined when the job wrote none. */
  readonly result: Record<string, unknown> | undefined;
}

export interface Workspace {
  readonly root: string;
  /** Runs one job in its own directory under root: spec, data/ and model/ as given, an empty out/. */
  run(image: string, input: JobInput): Promise<JobOutcome>;
  dispose(): void;
}

/** A scratch area for one test file (or one benchmark). */
export function createWorkspace(docker: Docker): Workspace {
  const root = mkdtempSync(join(tmpdir(), "artha-runtime-"));
  let count = 0;
  const run = async (image: string, input: JobInput): Promise<JobOutcome> => {
    const dir = join(root, `job-${++count}`);
    const write = (sub: string, files: Readonly<Record<string, string | Buffer>> = {}) => {
      mkdirSync(join(dir, sub), { recursive: true });
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, sub, name), content);
      return join(dir, sub);
    };
    const dataDir = write("data", input.data);
    const modelDir = write("model", input.model);
    const outDir = write("out");
    await prepareOutputDir(outDir);
    const specText = typeof input.spec === "string" ? input.spec : JSON.stringify(input.spec, null, 2);
    writeFileSync(join(dir, "spec.json"), specText);
    const specObject = typeof input.spec === "object" && input.spec !== null ? input.spec : {};
    const result = await runJobContainer(docker, {
      image,
      specFile: join(dir, "spec.json"),
      dataDir,
      modelDir,
      outputDir: outDir,
      env: jobEnvironment(`test-job-${count}`, specObject),
      limits: { memoryBytes: 1024 ** 3, nanoCpus: 1e9, pidsLimit: 128 },
      deadlineMs: Date.now() + 120_000,
      ...input.run,
    });
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(readFileSync(join(outDir, "result.json"), "utf8"));
    } catch {
      parsed = undefined;
    }
    return { run: result, outDir, dir, result: parsed };
  };
  return { root, run, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
