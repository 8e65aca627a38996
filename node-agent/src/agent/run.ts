// Stage: fetch inputs → run the container → commit outputs. Every step can be repeated after a crash:
// inputs are only ever present once verified, and a container started before a crash is found by its
// labels and re-attached instead of started twice.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type JobSpec, parseJobSpec, requestsNetwork } from "@arthaain/sdk";
import { outputRootOfDirectory } from "@arthaain/sdk/node";
import { type Hex, sha256, zeroHash } from "viem";
import {
  ClusterError,
  findJobContainer,
  type JobIdentity,
  jobEnvironment,
  prepareOutputDir,
  removeJobContainer,
  startJobContainer,
  waitJobContainer,
} from "../cluster/index.ts";
import { fetchInput, fetchSpec } from "../inputs/index.ts";
import type { Work } from "../state/openStore.ts";
import type { AgentContext } from "./context.ts";
import { readRegistryEntries } from "./registryEntries.ts";

/** A failure that ends the job on this node (recorded with its reason; the agent goes on). */
export class JobFailure extends Error {
  override readonly name = "JobFailure";
  readonly stage: string;
  constructor(stage: string, message: string) {
    super(message);
    this.stage = stage;
  }
}

type Input = { uri: string; contentHash: Hex };

/** Where the job's model and dataset come from: a dependency's outputs, or the registry's entries. */
async function inputsOf(ctx: AgentContext, jobId: bigint): Promise<{ model?: Input; data?: Input }> {
  const stored = ctx.store.job(jobId)!;
  const inputs: { model?: Input; data?: Input } = {};
  const dependsOn = stored.details.dependsOn ?? [];
  if (dependsOn.length > 0) {
    // A job built on another job's result (an infer on a fresh checkpoint) takes that job's outputs as its
    // model, verified against the output root its node committed on-chain.
    const dep = ctx.store.job(dependsOn[0]!);
    if (!dep?.details.outputUri) {
      throw new JobFailure("inputs", `dependency job ${dependsOn[0]} has no result seen by this node`);
    }
    inputs.model = { uri: dep.details.outputUri, contentHash: dep.job.outputRoot };
  }
  const { model, dataset } = await readRegistryEntries(ctx, stored.job);
  if (model && !inputs.model) inputs.model = { uri: model.uri, contentHash: model.contentHash };
  if (dataset) inputs.data = { uri: dataset.uri, contentHash: dataset.contentHash };
  return inputs;
}

/** The job's verified spec, fetched into `dir/spec.json` once (the bid stage may have put it there). */
export async function prepareSpec(ctx: AgentContext, jobId: bigint, dir: string): Promise<JobSpec> {
  const stored = ctx.store.job(jobId)!;
  const specFile = join(dir, "spec.json");
  if (!existsSync(specFile)) {
    const bytes = await fetchSpec({
      uri: stored.details.specUri!,
      specHash: stored.details.specHash!,
      maxBytes: 1024 * 1024,
    }).catch((e: Error) => {
      throw new JobFailure("inputs", e.message);
    });
    await mkdir(dir, { recursive: true });
    await writeFile(specFile, bytes);
  }
  return parseJobSpec(await readFile(specFile));
}

/** One run of a job's container: the paid run (attempt) or a verifier's re-run (its own identity). */
export type RunTarget = {
  jobId: bigint;
  /** Holds spec.json, in/ (verified inputs), out/ and job.log. */
  dir: string;
  /** The container's labels and name: unique per run on a host. */
  identity: JobIdentity;
  deadlineMs: number;
  gpuIndexes: readonly number[];
};

/**
 * Fetches the verified inputs and starts the job's container in the sandbox (no network unless the spec
 * asks and the policy allowed it), or finds the one a run before a restart started. Failures that end the
 * run are JobFailure.
 */
export async function startJobRun(
  ctx: AgentContext,
  target: RunTarget,
  spec: JobSpec,
): Promise<{ containerId: string; reattached: boolean }> {
  const stored = ctx.store.job(target.jobId)!;
  const { dir } = target;
  const { identity } = target;
  const existing = await findJobContainer(ctx.docker, identity.jobId, identity.attempt, identity.verifier);
  if (existing) return { containerId: existing.containerId, reattached: true };
  const inputs = await inputsOf(ctx, target.jobId);
  const mounts: { modelDir?: string; dataDir?: string } = {};
  for (const [name, input] of Object.entries(inputs) as [keyof typeof inputs, Input][]) {
    const dest = join(dir, "in", name);
    if (!existsSync(dest)) {
      const maxBytes = Math.min(
        ctx.config.policy.maxInputBytes,
        spec.maxInputBytes ?? Number.POSITIVE_INFINITY,
      );
      const fileRoots = ctx.config.policy.fileRoots;
      await fetchInput({ uri: input.uri, contentHash: input.contentHash, dest, maxBytes, fileRoots }).catch(
        (e: Error) => {
          throw new JobFailure("inputs", `${name}: ${e.message}`);
        },
      );
    }
    mounts[name === "model" ? "modelDir" : "dataDir"] = dest;
  }
  const outputDir = join(dir, "out");
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(outputDir, { recursive: true });
  await prepareOutputDir(outputDir);
  const r = spec.resources;
  try {
    const { containerId } = await startJobContainer(ctx.docker, {
      image: `sha256:${stored.details.imageDigest!.slice(2)}`,
      specFile: join(dir, "spec.json"),
      ...mounts,
      outputDir,
      env: jobEnvironment(target.jobId.toString(), spec),
      network: requestsNetwork(spec) ? "bridge" : "none",
      limits: {
        memoryBytes: r.memoryMb * 1024 ** 2,
        nanoCpus: Math.round(r.cpus * 1e9),
        pidsLimit: r.pids,
        shmBytes: r.shmMb * 1024 ** 2,
      },
      ...(target.gpuIndexes.length ? { gpus: { deviceIds: target.gpuIndexes.map(String) } } : {}),
      ...(spec.command ? { cmd: spec.command } : {}),
      deadlineMs: target.deadlineMs,
      jobId: identity.jobId,
      attempt: identity.attempt,
      ...(identity.verifier ? { verifier: identity.verifier } : {}),
    });
    ctx.metrics.runs.inc();
    return { containerId, reattached: false };
  } catch (error) {
    throw new JobFailure("run", (error as Error).message);
  }
}

/**
 * Waits for a run's container, keeps its logs in `dir/job.log`, removes it and computes the output root of
 * `dir/out` (and the sha256 of its result.json). A failed run is JobFailure; an engine that went away is
 * thrown as it is (wait again later: the container may still be there).
 */
export async function finishJobRun(
  ctx: AgentContext,
  run: { containerId: string; deadlineMs: number; dir: string },
): Promise<{ root: Hex; metricsHash: Hex; ms: number }> {
  ctx.metrics.running.inc();
  let result: Awaited<ReturnType<typeof waitJobContainer>>;
  try {
    result = await waitJobContainer(ctx.docker, run.containerId, {
      deadlineMs: run.deadlineMs,
      logFile: join(run.dir, "job.log"),
    });
  } catch (error) {
    // An engine that went away may come back with the container still there: wait again next tick.
    if (error instanceof ClusterError && (error.code === "engine-unreachable" || error.code === "aborted"))
      throw error;
    throw new JobFailure("run", (error as Error).message);
  } finally {
    ctx.metrics.running.dec();
  }
  await removeJobContainer(ctx.docker, run.containerId).catch(() => undefined);
  if (result.timedOut) throw new JobFailure("run", "killed at the job's deadline");
  if (result.oomKilled)
    throw new JobFailure("run", "out of memory: the job exceeded its spec's resources.memoryMb");
  if (result.exitCode !== 0) {
    throw new JobFailure("run", `exit code ${result.exitCode}: ${result.lastErrorLine || "no error line"}`);
  }
  const outputDir = join(run.dir, "out");
  const { root } = await outputRootOfDirectory(outputDir).catch((e: Error) => {
    throw new JobFailure("commit", e.message);
  });
  const resultJson = join(outputDir, "result.json");
  const metricsHash = existsSync(resultJson) ? sha256(await readFile(resultJson)) : zeroHash;
  return { root, metricsHash, ms: Math.round(result.startToExitMs) };
}

/** Phase "assigned": verified inputs in place, the container started (or found), then phase "running". */
export async function startAssigned(ctx: AgentContext, work: Work): Promise<void> {
  const stored = ctx.store.job(work.jobId)!;
  const attempt = work.data.attempt ?? stored.job.attempts;
  const dir = ctx.jobDir(work.jobId, attempt);
  const spec = await prepareSpec(ctx, work.jobId, dir);
  const deadlineMs = work.data.deadlineMs ?? wallDeadline(ctx, stored.job.bidEnd, stored.job.maxRuntime);
  const { containerId, reattached } = await startJobRun(
    ctx,
    {
      jobId: work.jobId,
      dir,
      identity: { jobId: work.jobId, attempt },
      deadlineMs,
      gpuIndexes: work.data.reservation?.gpuIndexes ?? [],
    },
    spec,
  );
  ctx.log.info(
    { jobId: work.jobId.toString(), containerId },
    reattached ? "re-attached to the job's container" : "container started",
  );
  ctx.store.setWork(work.jobId, "running", {
    containerId,
    deadlineMs,
    startedAtMs: work.data.startedAtMs ?? Date.now(),
  });
}

/** Phase "running": waits for the container, keeps its logs, commits the outputs (phase "ran"). */
export async function awaitRun(ctx: AgentContext, work: Work): Promise<void> {
  const stored = ctx.store.job(work.jobId)!;
  const attempt = work.data.attempt ?? stored.job.attempts;
  const dir = ctx.jobDir(work.jobId, attempt);
  let { root, metricsHash, ms } = await finishJobRun(ctx, {
    containerId: work.data.containerId!,
    deadlineMs: work.data.deadlineMs!,
    dir,
  });
  if (ctx.faults?.tamperResult) ({ root, metricsHash } = await tamperOutputs(ctx, work.jobId, dir));
  ctx.store.setWork(work.jobId, "ran", {
    outputRoot: root,
    metricsHash,
    outputUri: `${ctx.apiUrl()}/jobs/${work.jobId}/outputs/`,
    exitCode: 0,
  });
  ctx.log.info({ jobId: work.jobId.toString(), outputRoot: root, ms }, "job ran");
}

/**
 * Test fault `tamperResult` (AgentFaults): flips the last byte of the run's largest output file (the
 * weights, for a train job) and returns the root of the altered outputs, which is what a cheating worker
 * would submit and serve. Verifiers re-running the job get the honest root and disagree.
 */
async function tamperOutputs(ctx: AgentContext, jobId: bigint, dir: string) {
  const outputDir = join(dir, "out");
  let largest: { path: string; size: number } | undefined;
  for (const entry of await readdir(outputDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const { size } = await stat(path);
    if (size > 0 && (!largest || size > largest.size)) largest = { path, size };
  }
  if (!largest) throw new JobFailure("commit", "tamperResult: no output file to alter");
  const bytes = await readFile(largest.path);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  await writeFile(largest.path, bytes);
  const { root } = await outputRootOfDirectory(outputDir);
  const resultJson = join(outputDir, "result.json");
  const metricsHash = existsSync(resultJson) ? sha256(await readFile(resultJson)) : zeroHash;
  ctx.log.warn(
    { jobId: jobId.toString(), file: relative(outputDir, largest.path), outputRoot: root },
    "test fault: tampered with our outputs before submitting",
  );
  return { root, metricsHash };
}

/**
 * The wall-clock time the container is killed: the on-chain deadline (claim window end + maxRuntime)
 * less a margin to get the result mined in time.
 */
function wallDeadline(ctx: AgentContext, bidEnd: number, maxRuntime: number): number {
  const chainDeadline = BigInt(bidEnd) + ctx.claimWindow + BigInt(maxRuntime);
  const margin = Math.min(120, Math.max(5, Math.floor(maxRuntime / 10)));
  return Date.now() + (Number(chainDeadline - ctx.chainNow()) - margin) * 1000;
}
