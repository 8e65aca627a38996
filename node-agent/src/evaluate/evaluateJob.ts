// Should this node bid on a job? A pure function of the job, its spec, this node, its hardware, what is
// already promised to other jobs and the operator's policy. It answers yes with the concrete capacity
// to hold for the job (CPU, memory, GPU indexes), or no with one specific reason.
import { defaultResources, type JobSpec, type JobSpecKind, requestsNetwork } from "@arthaain/sdk";
import type { Hex } from "viem";
import { vramGbOf } from "../hardware/gpu.ts";
import { parseInputUri } from "../inputs/parseInputUri.ts";

/** The on-chain job, as the job record and its submission event give it. */
export type EvaluatedJob = {
  kind: JobSpecKind;
  gpuCount: number;
  minVramGb: number;
  minCertLevel: number;
  /** Seconds. */
  maxRuntime: number;
  /** The job's price ceiling: its claim cap (maxPrice less the verification budget, maxClaimPrice). */
  maxPrice: bigint;
  modelId: number;
  datasetId: number;
  imageDigest: Hex;
  dependencyCount: number;
};

export type NodeStatus = {
  certLevel: number;
  /** Unix seconds; the level counts only while certExpiry > now. */
  certExpiry: number | bigint;
  active: boolean;
  /** Chain time, unix seconds. */
  now: number | bigint;
};

export type HardwareGpu = { index: number; uuid: string; model: string; vramMb: number };
export type HardwareCapacity = { cpuCores: number; ramMb: number; gpus: readonly HardwareGpu[] };

/** Capacity held for one job, from its bid until its container exits. */
export type Reservation = { cpus: number; memoryMb: number; gpuIndexes: number[] };

/** A model's or dataset's registry entry (models have no size on-chain). */
export type RegistryEntry = { license: string; uri: string; size?: bigint | number | undefined };

export type EvaluatePolicy = {
  images: { digests?: readonly string[] | undefined; allowAny?: boolean | undefined };
  /** Accepted licenses (SPDX ids, compared ignoring case); undefined accepts any. */
  licenses?: readonly string[] | undefined;
  maxRuntimeS: number;
  maxInputBytes: number;
  allowNetwork: boolean;
  maxConcurrentJobs: number;
};

export type EvaluateJobInput = {
  job: EvaluatedJob;
  /** The verified spec; without it (before it is fetched) the spec's checks are left out and defaults assumed. */
  spec?: JobSpec | undefined;
  node: NodeStatus;
  hardware: HardwareCapacity;
  /** Jobs already holding capacity here (bid, claimed, running), this job excluded. */
  reservations: readonly (Reservation & { jobId: bigint })[];
  registry: { model?: RegistryEntry | undefined; dataset?: RegistryEntry | undefined };
  policy: EvaluatePolicy;
};

export type EvaluateCode =
  | "node-inactive"
  | "cert-level"
  | "concurrency"
  | "image"
  | "spec-mismatch"
  | "network"
  | "runtime"
  | "license"
  | "input-scheme"
  | "input-size"
  | "gpus"
  | "cpu"
  | "memory";

export type EvaluateResult =
  | { ok: true; reservation: Reservation }
  | { ok: false; code: EvaluateCode; reason: string };

// CPU counts may be fractional; compare in thousandths so 0.1 + 0.2 fits in 0.3.
const milli = (cpus: number) => Math.round(cpus * 1000);

export function evaluateJob(input: EvaluateJobInput): EvaluateResult {
  const { job, spec, node, hardware, reservations, registry, policy } = input;
  const no = (code: EvaluateCode, reason: string): EvaluateResult => ({ ok: false, code, reason });

  if (!node.active)
    return no(
      "node-inactive",
      "this node is not active in the NodeRegistry (unregistered, unbonding or under the minimum stake)",
    );
  const certValid = BigInt(node.certExpiry) > BigInt(node.now);
  const level = certValid ? node.certLevel : 0;
  if (job.minCertLevel > level) {
    return no(
      "cert-level",
      `the job needs certification level ${job.minCertLevel}; this node has ${node.certLevel}` +
        (certValid || node.certLevel === 0
          ? ""
          : `, expired at ${node.certExpiry} (now ${node.now}), so it counts as 0`),
    );
  }
  const running = new Set(reservations.map((r) => r.jobId)).size;
  if (running >= policy.maxConcurrentJobs) {
    return no(
      "concurrency",
      `${running} jobs already hold capacity here; the policy allows ${policy.maxConcurrentJobs} at once`,
    );
  }

  const digest = job.imageDigest.toLowerCase();
  if (!policy.images.allowAny && !(policy.images.digests ?? []).some((d) => d.toLowerCase() === digest)) {
    return no(
      "image",
      `image ${job.imageDigest} is not in the operator's image allowlist (policy.images.digests)`,
    );
  }

  if (spec) {
    if (spec.kind !== job.kind) {
      return no("spec-mismatch", `the spec says kind "${spec.kind}" but the job on-chain is "${job.kind}"`);
    }
    if (spec.resources.gpus > job.gpuCount) {
      return no(
        "spec-mismatch",
        `the spec asks for ${spec.resources.gpus} GPUs but the job on-chain requires (and pays for) ${job.gpuCount}`,
      );
    }
    if (requestsNetwork(spec) && !policy.allowNetwork) {
      return no(
        "network",
        'the spec asks for outbound network (network "egress" or agent allowHosts) and the policy does not allow it',
      );
    }
  }

  if (job.maxRuntime > policy.maxRuntimeS) {
    return no("runtime", `max runtime ${job.maxRuntime} s is over the policy's ${policy.maxRuntimeS} s`);
  }

  const entries = [
    ["model", job.modelId, registry.model],
    ["dataset", job.datasetId, registry.dataset],
  ] as const;
  if (policy.licenses) {
    const accepted = new Set(policy.licenses.map((l) => l.toLowerCase()));
    for (const [what, id, entry] of entries) {
      if (id === 0) continue;
      if (!entry)
        return no("license", `${what} ${id}'s registry entry is unknown, so its license cannot be checked`);
      if (!accepted.has(entry.license.trim().toLowerCase())) {
        return no(
          "license",
          `${what} ${id} has license ${JSON.stringify(entry.license)}, not one the policy accepts (${policy.licenses.join(", ")})`,
        );
      }
    }
  }
  let inputBytes = 0n;
  for (const [what, id, entry] of entries) {
    if (id === 0 || !entry) continue;
    let problem: string | undefined;
    try {
      if (parseInputUri(entry.uri).scheme === "data")
        problem = "data: URIs carry specs only; expected file:// or http(s)://";
    } catch (error) {
      problem = (error as Error).message;
    }
    if (problem) return no("input-scheme", `${what} ${id} cannot be fetched: ${problem}`);
    inputBytes += BigInt(entry.size ?? 0);
  }
  if (inputBytes > BigInt(policy.maxInputBytes)) {
    return no(
      "input-size",
      `the inputs are ${inputBytes} bytes, over the policy's maxInputBytes ${policy.maxInputBytes}`,
    );
  }
  if (spec?.maxInputBytes !== undefined && spec.maxInputBytes > policy.maxInputBytes) {
    return no(
      "input-size",
      `the spec declares inputs up to ${spec.maxInputBytes} bytes, over the policy's maxInputBytes ${policy.maxInputBytes}`,
    );
  }

  // GPUs: enough free ones with the VRAM; the smallest that fit first, so bigger ones stay for bigger jobs.
  const held = new Map<number, bigint>();
  for (const r of reservations) for (const i of r.gpuIndexes) held.set(i, r.jobId);
  const gpuIndexes: number[] = [];
  if (job.gpuCount > 0) {
    const bigEnough = hardware.gpus.filter((g) => vramGbOf(g.vramMb) >= job.minVramGb);
    const free = bigEnough
      .filter((g) => !held.has(g.index))
      .sort((a, b) => a.vramMb - b.vramMb || a.index - b.index);
    if (free.length < job.gpuCount) {
      const busy = bigEnough
        .filter((g) => held.has(g.index))
        .map((g) => `GPU ${g.index} by job ${held.get(g.index)}`);
      return no(
        "gpus",
        `the job needs ${job.gpuCount} GPU(s) with >= ${job.minVramGb} GB VRAM; ${free.length} of this node's ${hardware.gpus.length} ` +
          `are free and big enough` +
          (busy.length ? ` (reserved: ${busy.join(", ")})` : "") +
          (bigEnough.length < hardware.gpus.length
            ? ` (${hardware.gpus.length - bigEnough.length} have less VRAM)`
            : ""),
      );
    }
    gpuIndexes.push(...free.slice(0, job.gpuCount).map((g) => g.index));
  }

  // CPU and memory: what the container is limited to, against what is left after the other reservations.
  const cpus = spec?.resources.cpus ?? defaultResources.cpus;
  const memoryMb = spec?.resources.memoryMb ?? defaultResources.memoryMb;
  const usedCpu = reservations.reduce((n, r) => n + milli(r.cpus), 0);
  const freeCpu = milli(hardware.cpuCores) - usedCpu;
  if (milli(cpus) > freeCpu) {
    return no(
      "cpu",
      `the job needs ${cpus} CPU; ${freeCpu / 1000} of ${hardware.cpuCores} are free (${usedCpu / 1000} reserved by other jobs)`,
    );
  }
  const usedMem = reservations.reduce((n, r) => n + r.memoryMb, 0);
  const freeMem = hardware.ramMb - usedMem;
  if (memoryMb > freeMem) {
    return no(
      "memory",
      `the job needs ${memoryMb} MiB of memory; ${freeMem} of ${hardware.ramMb} MiB are free (${usedMem} reserved by other jobs)`,
    );
  }

  return { ok: true, reservation: { cpus, memoryMb, gpuIndexes } };
}
