// Metric mode (docs/verification.md, "Comparison"): a verifier agrees when the metric its re-run reports is
// within the spec's tolerance of the one the worker reported. The worker's comes from the result.json it
// serves, checked against the sha256 it put on-chain (`metricsHash`), so it cannot report one value to the
// chain's record and another to its verifiers.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type JobSpecVerification, METRIC_SCALE, openNodeApi } from "@arthaain/sdk";
import { type Address, type Hex, sha256, toHex } from "viem";
import type { AgentContext } from "./context.ts";
import { JobFailure } from "./run.ts";

export type MetricVerdict = {
  /** Our metric as the vote's `result`: round(value × METRIC_SCALE) as an int256 word. */
  result: Hex;
  agrees: boolean;
  ours: number;
  /** The worker's value, when it served a result.json that matches its on-chain hash and has the metric. */
  theirs?: number;
  reason: string;
};

/** The vote word of a metric value (two's complement for a negative one, as the contract's int256). */
export function metricWord(value: number): Hex {
  return toHex(BigInt.asUintN(256, BigInt(Math.round(value * METRIC_SCALE))), { size: 32 });
}

/** `metrics[name]` of a result.json's bytes, or why there is none. */
function metricOf(bytes: Uint8Array, name: string): number | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return "result.json is not JSON";
  }
  const value = (parsed as { metrics?: Record<string, unknown> } | null)?.metrics?.[name];
  return typeof value === "number" && Number.isFinite(value)
    ? value
    : `result.json has no finite number at metrics.${name}`;
}

/**
 * Judges our re-run in `dir` against the worker's result (metric mode). A re-run without the metric is our
 * failure (JobFailure); a worker whose result.json is missing, altered or without the metric is disagreed
 * with; a worker that cannot be reached is thrown as a plain error, to be tried again, until `lastChance`:
 * a result nobody can check is not upheld.
 */
export async function judgeMetric(
  ctx: AgentContext,
  p: {
    jobId: bigint;
    /** The worker (the job's claimer) and the metricsHash of its ResultSubmitted event. */
    worker: Address;
    metricsHash: Hex;
    verification: Extract<JobSpecVerification, { mode: "metric" }>;
    dir: string;
    /** The vote is due: a worker that cannot be reached is disagreed with instead of asked again. */
    lastChance: boolean;
  },
): Promise<MetricVerdict> {
  const { metric, tolerance } = p.verification;
  const ours = metricOf(await readFile(join(p.dir, "out", "result.json")), metric);
  if (typeof ours === "string") throw new JobFailure("commit", `our re-run's ${ours}`);
  const result = metricWord(ours);
  let bytes: Uint8Array;
  try {
    const node = await openNodeApi(ctx, p.worker);
    const res = await node.get(`/jobs/${p.jobId}/outputs/result.json`, `job ${p.jobId}'s result.json`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (error) {
    if (!p.lastChance) throw error;
    const why = (error as Error).message;
    return { result, agrees: false, ours, reason: `the worker's result.json could not be fetched: ${why}` };
  }
  if (sha256(bytes) !== p.metricsHash) {
    return {
      result,
      agrees: false,
      ours,
      reason: "the worker's result.json does not match its on-chain metricsHash",
    };
  }
  const theirs = metricOf(bytes, metric);
  if (typeof theirs === "string") return { result, agrees: false, ours, reason: `the worker's ${theirs}` };
  const agrees = Math.abs(ours - theirs) <= tolerance;
  return {
    result,
    agrees,
    ours,
    theirs,
    reason: `${metric}: ours ${ours}, the worker's ${theirs}, tolerance ${tolerance}`,
  };
}
