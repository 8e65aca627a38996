// The spec a job command submits: a base spec (--spec, or the torch template for train and infer), with
// what the registered inputs tell when their files are local (the dataset's file and columns, the model's
// architecture), then the flags on top (--epochs, --lr, --batch-size, --seed, --features, --label,
// --data-file). A field the torch runtime needs and nobody gave is refused here, naming the field and the
// flag that sets it, before any transaction.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Dataset } from "../actions/datasets/getDataset.ts";
import type { Model } from "../actions/models/getModel.ts";
import type { JobSpec, JobSpecKind } from "../spec/jobSpec.ts";
import { JobSpecError } from "../spec/jobSpecError.ts";
import { validateJobSpec } from "../spec/parseJobSpec.ts";
import { integer, list, localPath, positive } from "./options.ts";

type Json = Record<string, unknown>;

export type SpecFlags = {
  spec?: string;
  epochs?: string;
  lr?: string;
  batchSize?: string;
  seed?: string;
  features?: string;
  label?: string;
  dataFile?: string;
};

/** The torch runtime's templates (docs/runtime-contract.md §9): what a train or infer job starts from. */
const templates: Partial<Record<JobSpecKind, () => Json>> = {
  train: () => ({
    version: 1,
    kind: "train",
    seed: 0,
    runtime: { data: {}, model: {} },
    hyperparameters: { epochs: 1, batchSize: 32, learningRate: 0.01 },
  }),
  infer: () => ({ version: 1, kind: "infer", seed: 0, runtime: { data: {}, model: {} } }),
};

/** Fields the torch runtime requires, with how to give each (checked for train and infer jobs). */
const required: Record<"train" | "infer", [string[], string][]> = {
  train: [
    [["runtime", "data", "file"], "--data-file <file in the dataset>"],
    [["runtime", "data", "features"], "--features <column,column>"],
    [["runtime", "data", "label"], "--label <column>"],
    [
      ["runtime", "model", "type"],
      "a base spec (--spec) with runtime.model, or a model whose files hold architecture.json",
    ],
    [["hyperparameters", "epochs"], "--epochs <n>"],
    [["hyperparameters", "batchSize"], "--batch-size <n>"],
    [["hyperparameters", "learningRate"], "--lr <rate>"],
  ],
  infer: [
    [["runtime", "data", "file"], "--data-file <file in the dataset>"],
    [["runtime", "data", "features"], "--features <column,column>"],
  ],
};

const object = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The object at `path` under `root`, created (and set on its parents) when missing. */
function at(root: Json, ...path: string[]): Json {
  let o = root;
  for (const key of path) {
    if (!object(o[key])) o[key] = {};
    o = o[key] as Json;
  }
  return o;
}

function readBase(file: string, kind: JobSpecKind): Json {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`--spec ${path}: cannot read (${(error as NodeJS.ErrnoException).code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new JobSpecError("spec", `${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!object(json)) throw new JobSpecError("spec", `${path}: expected a JSON object`);
  if (json.kind !== undefined && json.kind !== kind) {
    throw new JobSpecError(
      "spec.kind",
      `${path}: spec.kind is ${JSON.stringify(json.kind)}; this command submits "${kind}" jobs`,
    );
  }
  return { ...json, kind };
}

/** The one data file of a local dataset and its CSV columns, when that can be told without guessing. */
function localDataset(uri: string): { file?: string; columns?: string[] } {
  const path = localPath(uri);
  if (!path || !existsSync(path)) return {};
  let file: string | undefined;
  let full: string | undefined;
  if (statSync(path).isDirectory()) {
    const candidates = readdirSync(path).filter((f) => /\.(csv|npy)$/i.test(f));
    if (candidates.length !== 1) return {};
    file = candidates[0]!;
    full = join(path, file);
  } else {
    file = basename(path);
    full = path;
  }
  if (!/\.csv$/i.test(file)) return { file };
  const head =
    readFileSync(full, "utf8")
      .slice(0, 64 * 1024)
      .split(/\r?\n/)[0] ?? "";
  const columns = head.split(",").map((c) => c.trim());
  return columns.length > 1 && columns.every(Boolean) ? { file, columns } : { file };
}

/** The architecture of a local model: architecture.json, or the sidecar (model.json) of a trained one. */
function localModel(uri: string): Json | undefined {
  const path = localPath(uri);
  if (!path || !existsSync(path) || !statSync(path).isDirectory()) return undefined;
  const read = (name: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(path, name), "utf8"));
    } catch {
      return undefined;
    }
  };
  const architecture = read("architecture.json");
  if (object(architecture)) return architecture;
  const sidecar = read("model.json");
  if (object(sidecar) && object(sidecar.model) && typeof sidecar.weights === "string") {
    const { inputs: _inputs, ...model } = sidecar.model;
    return { ...model, init: sidecar.weights };
  }
  return undefined;
}

/** Builds, fills, overrides and checks the spec; errors name the field (and the flag that sets it). */
export function buildSpec(
  kind: JobSpecKind,
  flags: SpecFlags,
  inputs: { model?: Model; dataset?: Dataset },
): JobSpec {
  const source = flags.spec ? resolve(flags.spec) : `the default ${kind} spec`;
  let spec: Json;
  if (flags.spec) spec = readBase(flags.spec, kind);
  else if (templates[kind]) spec = templates[kind]!();
  else throw new Error(`${kind} jobs need a spec: pass --spec <file> (docs/runtime-contract.md)`);

  if (kind === "train" || kind === "infer") {
    const data = at(spec, "runtime", "data");
    const local = inputs.dataset ? localDataset(inputs.dataset.uri) : {};
    if (flags.dataFile) data.file = flags.dataFile;
    else data.file ??= local.file;
    // The columns are those of the file the job reads, or unknown.
    const columns = data.file === local.file ? local.columns : undefined;
    if (flags.label) data.label = flags.label;
    else if (data.label === undefined && columns) {
      if (columns.includes("label")) data.label = "label";
      else if (kind === "train") data.label = columns.at(-1);
    }
    if (flags.features) data.features = list("--features", flags.features);
    else if (data.features === undefined && columns) data.features = columns.filter((c) => c !== data.label);
    if (kind === "train") {
      const model = at(spec, "runtime", "model");
      if (model.type === undefined && inputs.model) Object.assign(model, localModel(inputs.model.uri) ?? {});
      const hp = at(spec, "hyperparameters");
      if (flags.epochs !== undefined) hp.epochs = integer("--epochs", flags.epochs, 1, 100_000);
      if (flags.batchSize !== undefined) hp.batchSize = integer("--batch-size", flags.batchSize, 1);
      if (flags.lr !== undefined) hp.learningRate = positive("--lr", flags.lr);
    } else {
      at(spec, "runtime", "model");
      if (flags.batchSize !== undefined) {
        at(spec, "hyperparameters").batchSize = integer("--batch-size", flags.batchSize, 1);
      }
    }
    for (const [path, how] of required[kind]) {
      const parent = path.slice(0, -1).reduce<unknown>((o, k) => (object(o) ? o[k] : undefined), spec);
      const value = object(parent) ? parent[path.at(-1)!] : undefined;
      if (value === undefined || (Array.isArray(value) && value.length === 0)) {
        const field = `spec.${path.join(".")}`;
        throw new JobSpecError(field, `${source}: ${field}: missing; give it with ${how}`);
      }
    }
  }
  if (flags.seed !== undefined) spec.seed = integer("--seed", flags.seed, 0, 2 ** 32 - 1);
  try {
    return validateJobSpec(spec);
  } catch (error) {
    if (error instanceof JobSpecError) throw new JobSpecError(error.path, `${source}: ${error.message}`);
    throw error;
  }
}
