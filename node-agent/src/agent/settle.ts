// Stage: submit the result → finalize after the challenge window → withdraw earnings.
import { getJobRecord, JobState, jobManagerAbi } from "@arthaain/sdk";
import type { Address } from "viem";
import type { Work } from "../state/openStore.ts";
import type { AgentContext } from "./context.ts";
import { JobFailure } from "./run.ts";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Phase "ran": commits the output root on-chain (once: a restart finds it there and moves on). */
export async function submitResult(ctx: AgentContext, work: Work): Promise<void> {
  const jobManager = ctx.deployment.contracts.jobManager;
  const current = await getJobRecord(ctx.publicClient, { jobManager, jobId: work.jobId });
  if (current.state === JobState.ResultSubmitted && current.outputRoot === work.data.outputRoot) {
    ctx.store.setWork(work.jobId, "submitted");
    return;
  }
  if (current.state !== JobState.Claimed || !same(current.claimer, ctx.address)) {
    throw new JobFailure(
      "submit",
      `job is no longer ours to submit (state ${current.state}, node ${current.claimer})`,
    );
  }
  const outcome = await ctx.sender.send({
    label: "submitResult",
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "submitResult",
    args: [work.jobId, current, work.data.outputRoot!, work.data.metricsHash!, work.data.outputUri!],
    context: { jobId: work.jobId.toString(), outputRoot: work.data.outputRoot },
  });
  if (outcome.status === "mined") {
    ctx.metrics.results.inc();
    ctx.store.setWork(work.jobId, "submitted", { resultTx: outcome.hash });
  } else if (outcome.status === "refused") {
    throw new JobFailure("submit", `the job manager refused the result: ${outcome.reason}`);
  }
  // reverted or failed: try again next tick (the deadline check above ends it when too late).
}

/** Phase "submitted": finalizes once the challenge window has passed (anyone may; we do not wait). */
export async function finalizeWhenDue(ctx: AgentContext, work: Work): Promise<void> {
  const stored = ctx.store.job(work.jobId);
  if (!stored) return;
  const job = stored.job;
  if (job.state === JobState.Finalized) return paid(ctx, work, job.price);
  if (job.state !== JobState.ResultSubmitted) {
    if (job.state === JobState.Disputed) return; // the proof contract decides (verification issue)
    if (job.state !== JobState.Claimed) {
      throw new JobFailure("settle", `unexpected state ${job.state} after our result`);
    }
    return; // the watcher has not caught up with our own result yet
  }
  if (!ctx.config.settle.autoFinalize) return;
  if (ctx.chainNow() < BigInt(job.resultAt) + ctx.challengeWindow) return;
  const jobManager = ctx.deployment.contracts.jobManager;
  const current = await getJobRecord(ctx.publicClient, { jobManager, jobId: work.jobId });
  if (current.state === JobState.Finalized) return paid(ctx, work, current.price);
  const outcome = await ctx.sender.send({
    label: "finalize",
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "finalize",
    args: [work.jobId, current],
    context: { jobId: work.jobId.toString() },
  });
  if (outcome.status === "mined") paid(ctx, work, current.price);
}

function paid(ctx: AgentContext, work: Work, price: bigint) {
  ctx.store.setWork(work.jobId, "finalized", { price });
  ctx.metrics.earnings.inc(Number(price));
  ctx.log.info({ jobId: work.jobId.toString(), price: price.toString() }, "job finalized: paid");
}

/** Phase "finalized": withdraws the node's balance on the job manager (when configured), then done. */
export async function withdrawEarnings(ctx: AgentContext, work: Work): Promise<void> {
  if (!ctx.config.settle.autoWithdraw) {
    ctx.store.setWork(work.jobId, "done");
    return;
  }
  const jobManager = ctx.deployment.contracts.jobManager;
  const balance = await ctx.publicClient.readContract({
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "balanceOf",
    args: [ctx.address],
  });
  if (balance > 0n) {
    const to = (ctx.config.settle.payoutAddress ?? ctx.address) as Address;
    const outcome = await ctx.sender.send({
      label: "withdraw",
      address: jobManager,
      abi: jobManagerAbi,
      functionName: "withdraw",
      args: [to],
      context: { amount: balance.toString(), to },
    });
    if (outcome.status !== "mined" && outcome.status !== "refused") return; // retry next tick
  }
  ctx.store.setWork(work.jobId, "done");
}
