// The JobSpec: the JSON document a job's `specUri` points at and whose sha256 is the on-chain
// `specHash`. It is mounted into the container as /artha/in/spec.json (docs/runtime-contract.md §3),
// so its common fields are the runtime's; the rest (resources, network, verification) is what the
// node agent reads to size, sandbox and verify the job. Unknown fields are kept: the runtime ignores
// them, and a later spec version can add fields that older agents pass through untouched.
//
// This schema is the single source of truth for the document; every message it produces reads as
// "expected …" so parseJobSpec can prefix the JSON path and append what was found.
import { z } from "zod";

/** Job kinds in the order of the contracts' `JobKind` enum, so `jobSpecKinds[job.kind]` maps an on-chain kind. */
export const jobSpecKinds = ["train", "infer", "agent"] as const;
export type JobSpecKind = (typeof jobSpecKinds)[number];

/** Container limits a spec gets when it names none (docs/runtime-contract.md §8). */
export const defaultResources = { cpus: 1, memoryMb: 2048, shmMb: 64, pids: 256, gpus: 0 } as const;

const UINT32_MAX = 2 ** 32 - 1;
/** Smallest memory limit accepted: below this no Python runtime starts, so the job could only fail. */
export const MIN_MEMORY_MB = 64;

/** An integer in [min, max]; one message for every way of missing it (wrong type, fraction, range). */
function integer(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const error =
    max === Number.MAX_SAFE_INTEGER
      ? `expected an integer >= ${min}`
      : `expected an integer in [${min}, ${max}]`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

const resourcesSchema = z.looseObject(
  {
    /** CPUs (fractions allowed: Docker's NanoCpus). */
    cpus: z
      .number({ error: "expected a number > 0 and <= 1024" })
      .gt(0, { error: "expected a number > 0 and <= 1024" })
      .lte(1024, { error: "expected a number > 0 and <= 1024" })
      .default(defaultResources.cpus),
    /** Memory limit in MiB; also the swap limit (no swap on top). */
    memoryMb: integer(MIN_MEMORY_MB).default(defaultResources.memoryMb),
    /** /dev/shm size in MiB (PyTorch data loaders use it). */
    shmMb: integer(1).default(defaultResources.shmMb),
    /** Process/thread limit of the container. */
    pids: integer(1).default(defaultResources.pids),
    /** GPUs the container gets; at most the job's on-chain `gpuCount` (a uint8). */
    gpus: integer(0, 255).default(defaultResources.gpus),
    /** Scratch disk the job expects to need, in MiB (advisory). */
    diskMb: integer(1).optional(),
  },
  { error: "expected an object" },
);

const verificationSchema = z.discriminatedUnion(
  "mode",
  [
    z.looseObject({ mode: z.literal("exact") }),
    z.looseObject({
      mode: z.literal("metric"),
      /** A key of result.json's `metrics`. */
      metric: z
        .string({ error: "expected a non-empty string" })
        .min(1, { error: "expected a non-empty string" }),
      /** Largest accepted absolute difference between two runs' values of `metric`. */
      tolerance: z
        .number({ error: "expected a finite number >= 0" })
        .min(0, { error: "expected a finite number >= 0" }),
    }),
  ],
  { error: 'expected an object with mode "exact" or "metric"' },
);

export const jobSpecSchema = z.looseObject(
  {
    version: z.literal(1, { error: "expected 1 (the only spec version)" }).default(1),
    kind: z.enum(jobSpecKinds, { error: 'expected "train", "infer" or "agent"' }),
    /** Seeds every random generator of the job (ARTHA_SEED). */
    seed: integer(0, UINT32_MAX),
    /** The runtime's own inputs (`data`/`model` for torch, `agent` for the agent runtime); the runtime validates them. */
    runtime: z.looseObject({}, { error: "expected an object" }),
    hyperparameters: z.record(z.string(), z.unknown(), { error: "expected an object" }).optional(),
    /** Replaces the image's CMD. */
    command: z
      .array(z.string({ error: "expected a string" }), { error: "expected a non-empty array of strings" })
      .min(1, { error: "expected a non-empty array of strings" })
      .optional(),
    resources: resourcesSchema.prefault({}),
    /** "egress": the container may open outbound connections (the operator's policy must allow it). */
    network: z.enum(["none", "egress"], { error: 'expected "none" or "egress"' }).default("none"),
    verification: verificationSchema.optional(),
    /** Upper bound the requester declares on the total size of the job's inputs (model + dataset), in bytes. */
    maxInputBytes: integer(0).optional(),
  },
  { error: "expected a JSON object" },
);

/** A parsed spec: defaults filled in, unknown fields kept. */
export type JobSpec = z.output<typeof jobSpecSchema>;
/** What a requester writes: fields with defaults may be left out. */
export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type JobSpecResources = JobSpec["resources"];
export type JobSpecVerification = NonNullable<JobSpec["verification"]>;

/**
 * Whether a job's container needs outbound network: `network: "egress"`, or an agent job whose
 * `runtime.agent.allowHosts` is non-empty (its http_get tool needs it; docs/runtime-contract.md §10.3).
 */
export function requestsNetwork(spec: JobSpec): boolean {
  if (spec.network === "egress") return true;
  const agent = (spec.runtime as { agent?: { allowHosts?: unknown } }).agent;
  return spec.kind === "agent" && Array.isArray(agent?.allowHosts) && agent.allowHosts.length > 0;
}
