import { parseJobSpec } from "@arthaain/sdk";
import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import {
  type EvaluateJobInput,
  type EvaluateResult,
  evaluateJob,
  type Reservation,
  vramGbOf,
} from "./index.ts";

const IMAGE = `0x${"11".repeat(32)}` as Hex;
const spec = (extra: Record<string, unknown> = {}) =>
  parseJobSpec(
    JSON.stringify({ kind: "train", seed: 1, runtime: {}, resources: { cpus: 2, memoryMb: 4096 }, ...extra }),
  );

// A node with 8 CPUs, 16 GiB, two 24 GB GPUs (as nvidia-smi reports them) and one 16 GB GPU.
const base: EvaluateJobInput = {
  job: {
    kind: "train",
    gpuCount: 1,
    minVramGb: 16,
    minCertLevel: 1,
    maxRuntime: 3600,
    maxPrice: 10n ** 18n,
    modelId: 1,
    datasetId: 2,
    imageDigest: IMAGE,
    dependencyCount: 0,
  },
  spec: spec(),
  node: { certLevel: 2, certExpiry: 2_000_000_000, active: true, now: 1_700_000_000n },
  hardware: {
    cpuCores: 8,
    ramMb: 16_384,
    gpus: [
      { index: 0, uuid: "GPU-a", model: "NVIDIA GeForce RTX 4090", vramMb: 24_564 },
      { index: 1, uuid: "GPU-b", model: "NVIDIA GeForce RTX 4090", vramMb: 24_564 },
      { index: 2, uuid: "GPU-c", model: "NVIDIA T4", vramMb: 16_384 },
    ],
  },
  reservations: [],
  registry: {
    model: { license: "Apache-2.0", uri: "https://models.example/m/" },
    dataset: { license: "CC-BY-4.0", uri: "file:///data/ds", size: 1_000_000n },
  },
  policy: {
    images: { digests: [IMAGE.toUpperCase().replace("0X", "0x")] },
    licenses: ["apache-2.0", "CC-BY-4.0"],
    maxRuntimeS: 6 * 3600,
    maxInputBytes: 10_000_000,
    allowNetwork: false,
    maxConcurrentJobs: 2,
  },
};

/** The reservation of an accepted job (fails the test when it was refused). */
function reserved(verdict: EvaluateResult): Reservation {
  if (!verdict.ok) throw new Error(`expected the job to be accepted, got ${verdict.code}: ${verdict.reason}`);
  return verdict.reservation;
}

type Change = (input: EvaluateJobInput) => EvaluateJobInput;
const job =
  (j: Partial<EvaluateJobInput["job"]>): Change =>
  (i) => ({ ...i, job: { ...i.job, ...j } });
const node =
  (n: Partial<EvaluateJobInput["node"]>): Change =>
  (i) => ({ ...i, node: { ...i.node, ...n } });
const policy =
  (p: Partial<EvaluateJobInput["policy"]>): Change =>
  (i) => ({ ...i, policy: { ...i.policy, ...p } });

describe("evaluateJob", () => {
  it("accepts a job that fits, reserving the smallest GPU that is big enough", () => {
    expect(evaluateJob(base)).toEqual({
      ok: true,
      reservation: { cpus: 2, memoryMb: 4096, gpuIndexes: [2] },
    });
    expect(evaluateJob(job({ minVramGb: 24, gpuCount: 2 })(base))).toEqual({
      ok: true,
      reservation: { cpus: 2, memoryMb: 4096, gpuIndexes: [0, 1] },
    });
  });

  it("assumes the default resources before the spec is known, and reserves no GPU for a CPU job", () => {
    expect(evaluateJob({ ...base, spec: undefined, job: { ...base.job, gpuCount: 0 } })).toEqual({
      ok: true,
      reservation: { cpus: 1, memoryMb: 2048, gpuIndexes: [] },
    });
  });

  it.each<[string, Change, string, RegExp]>([
    ["inactive node", node({ active: false }), "node-inactive", /not active in the NodeRegistry/],
    [
      "cert level too low",
      job({ minCertLevel: 3 }),
      "cert-level",
      /needs certification level 3; this node has 2$/,
    ],
    [
      "cert expired",
      node({ certExpiry: 1_700_000_000 }),
      "cert-level",
      /has 2, expired at 1700000000 \(now 1700000000\), so it counts as 0/,
    ],
    [
      "concurrency cap",
      (i) => ({
        ...i,
        reservations: [
          { jobId: 1n, cpus: 1, memoryMb: 1, gpuIndexes: [] },
          { jobId: 2n, cpus: 1, memoryMb: 1, gpuIndexes: [] },
        ],
      }),
      "concurrency",
      /2 jobs already hold capacity here; the policy allows 2 at once/,
    ],
    [
      "image not allowed",
      job({ imageDigest: `0x${"22".repeat(32)}` }),
      "image",
      /image 0x2222.* is not in the operator's image allowlist/,
    ],
    ["image allowlist empty", policy({ images: {} }), "image", /allowlist/],
    [
      "spec kind differs",
      job({ kind: "infer" }),
      "spec-mismatch",
      /spec says kind "train" but the job on-chain is "infer"/,
    ],
    [
      "spec asks for more GPUs than paid",
      (i) => ({ ...i, spec: spec({ resources: { gpus: 2 } }) }),
      "spec-mismatch",
      /asks for 2 GPUs but the job on-chain requires \(and pays for\) 1/,
    ],
    [
      "network not allowed",
      (i) => ({ ...i, spec: spec({ network: "egress" }) }),
      "network",
      /outbound network/,
    ],
    [
      "agent allowHosts needs network",
      (i) => ({
        ...i,
        job: { ...i.job, kind: "agent" },
        spec: spec({
          kind: "agent",
          runtime: { agent: { program: "a.py", task: {}, allowHosts: ["api.example"] } },
        }),
      }),
      "network",
      /outbound network/,
    ],
    [
      "runtime over policy",
      job({ maxRuntime: 6 * 3600 + 1 }),
      "runtime",
      /max runtime 21601 s is over the policy's 21600 s/,
    ],
    [
      "model license not accepted",
      (i) => ({ ...i, registry: { ...i.registry, model: { license: "LLAMA-2", uri: "https://m/" } } }),
      "license",
      /model 1 has license "LLAMA-2", not one the policy accepts \(apache-2.0, CC-BY-4.0\)/,
    ],
    [
      "license unknown",
      (i) => ({ ...i, registry: { dataset: i.registry.dataset } }),
      "license",
      /model 1's registry entry is unknown/,
    ],
    [
      "ipfs input",
      (i) => ({
        ...i,
        registry: { ...i.registry, dataset: { license: "CC-BY-4.0", uri: "ipfs://bafy", size: 1n } },
      }),
      "input-scheme",
      /dataset 2 cannot be fetched: .*IPFS inputs are deferred/,
    ],
    [
      "inputs over maxInputBytes",
      (i) => ({ ...i, registry: { ...i.registry, dataset: { ...i.registry.dataset!, size: 10_000_001n } } }),
      "input-size",
      /inputs are 10000001 bytes, over the policy's maxInputBytes 10000000/,
    ],
    [
      "spec declares inputs over maxInputBytes",
      (i) => ({ ...i, spec: spec({ maxInputBytes: 20_000_000 }) }),
      "input-size",
      /spec declares inputs up to 20000000 bytes/,
    ],
    [
      "no GPU with the VRAM",
      job({ minVramGb: 40 }),
      "gpus",
      /needs 1 GPU\(s\) with >= 40 GB VRAM; 0 of this node's 3 are free and big enough \(3 have less VRAM\)/,
    ],
    [
      "big GPUs reserved by other jobs",
      (i) => ({
        ...i,
        job: { ...i.job, minVramGb: 24 },
        reservations: [{ jobId: 5n, cpus: 1, memoryMb: 1, gpuIndexes: [0, 1] }],
      }),
      "gpus",
      /0 of this node's 3 are free and big enough \(reserved: GPU 0 by job 5, GPU 1 by job 5\) \(1 have less VRAM\)/,
    ],
    [
      "not enough CPUs",
      (i) => ({ ...i, spec: spec({ resources: { cpus: 8.5 } }) }),
      "cpu",
      /needs 8.5 CPU; 8 of 8 are free/,
    ],
    [
      "not enough memory",
      (i) => ({ ...i, spec: spec({ resources: { memoryMb: 16_385 } }) }),
      "memory",
      /needs 16385 MiB of memory; 16384 of 16384 MiB are free/,
    ],
  ])("refuses: %s", (_name, change, code, reason) => {
    const verdict = evaluateJob(change(base));
    expect(verdict).toMatchObject({ ok: false, code });
    expect(verdict.ok === false && verdict.reason).toMatch(reason);
  });

  it("accepts licenses and images when the policy does not restrict them", () => {
    const open = policy({ licenses: undefined, images: { allowAny: true } })(base);
    const verdict = evaluateJob({
      ...open,
      job: { ...open.job, imageDigest: `0x${"33".repeat(32)}` },
      registry: { dataset: { license: "", uri: "https://d/x.csv", size: 1n } },
    });
    expect(verdict.ok).toBe(true);
  });

  it("never over-commits: two jobs that each fit alone do not fit together", () => {
    // Each needs 5 of the 8 CPUs and 10 GiB of the 16.
    const big = {
      ...base,
      spec: spec({ resources: { cpus: 5, memoryMb: 10_240 } }),
      job: { ...base.job, gpuCount: 0 },
    };
    const first = evaluateJob(big);
    expect(first.ok).toBe(true);
    const reservations = [{ jobId: 1n, ...reserved(first) }];
    const second = evaluateJob({ ...big, reservations });
    expect(second).toMatchObject({ ok: false, code: "cpu" });
    expect(second.ok === false && second.reason).toMatch(
      /needs 5 CPU; 3 of 8 are free \(5 reserved by other jobs\)/,
    );
    // Memory alone is checked too.
    const memOnly = { ...big, spec: spec({ resources: { cpus: 1, memoryMb: 10_240 } }) };
    const m1 = evaluateJob(memOnly);
    expect(
      evaluateJob({
        ...memOnly,
        reservations: [{ jobId: 1n, ...reserved(m1) }],
      }),
    ).toMatchObject({
      ok: false,
      code: "memory",
    });
    // GPUs: the second job gets the other big GPU, a third finds none.
    const gpuJob = {
      ...base,
      job: { ...base.job, minVramGb: 24 },
      spec: spec({ resources: { cpus: 1, memoryMb: 1024 } }),
    };
    const g1 = evaluateJob(gpuJob);
    expect(g1).toMatchObject({ ok: true, reservation: { gpuIndexes: [0] } });
    const held = [{ jobId: 1n, ...reserved(g1) }];
    const g2 = evaluateJob({ ...gpuJob, reservations: held });
    expect(g2).toMatchObject({ ok: true, reservation: { gpuIndexes: [1] } });
    held.push({
      jobId: 2n,
      ...reserved(g2),
    });
    expect(
      evaluateJob({ ...gpuJob, reservations: held, policy: { ...gpuJob.policy, maxConcurrentJobs: 3 } }),
    ).toMatchObject({
      ok: false,
      code: "gpus",
    });
  });

  it("adds fractional CPUs exactly", () => {
    const tenth = { ...base, job: { ...base.job, gpuCount: 0 }, hardware: { ...base.hardware, cpuCores: 1 } };
    const r = (cpus: number, jobId: bigint) => ({ jobId, cpus, memoryMb: 1, gpuIndexes: [] });
    const verdict = evaluateJob({
      ...tenth,
      spec: spec({ resources: { cpus: 0.7, memoryMb: 64 } }),
      reservations: [r(0.1, 1n), r(0.2, 2n)],
      policy: { ...tenth.policy, maxConcurrentJobs: 5 },
    });
    expect(verdict.ok).toBe(true);
  });

  it("reads VRAM as the nearest whole GiB", () => {
    expect(vramGbOf(24_564)).toBe(24);
    expect(vramGbOf(15_360)).toBe(15);
    expect(vramGbOf(81_920)).toBe(80);
  });
});
