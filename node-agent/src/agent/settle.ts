// Stage: submit the result → finalize after the challenge window (recording the random audit's draw when
// one is due) → withdraw earnings.
import { getJobRecord, type JobRecord, JobState, jobManagerAbi, proofOfComputeAbi } from "@arthaain/sdk";
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

/**
 * Phase "submitted": finalizes once the challenge window has passed (anyone may; we do not wait). When the
 * random audit holds the payout (`auditDue`; finalize would revert AuditDue), records the draw with
 * `drawAudit` once its seed block is past: clear, the job is finalized next tick; audited, it becomes
 * Disputed and the verifiers decide (a verdict upholding it finalizes it).
 */
export async function finalizeWhenDue(ctx: AgentContext, work: Work): Promise<void> {
  const stored = ctx.store.job(work.jobId);
  if (!stored) return;
  const job = stored.job;
  if (job.state === JobState.Finalized) return paid(ctx, work, job.price);
  if (job.state !== JobState.ResultSubmitted) {
    if (job.state === JobState.Disputed) return; // the proof contract decides (docs/verification.md)
    if (job.state === JobState.Failed) {
      throw new JobFailure("settle", "the verifiers rejected our result (our bond was slashed)");
    }
    if (job.state !== JobState.Claimed) {
      throw new JobFailure("settle", `unexpected state ${job.state} after our result`);
    }
    return; // the watcher has not caught up with our own result yet
  }
  if (!ctx.config.settle.autoFinalize) return;
  if (ctx.chainNow() < BigInt(job.resultAt) + ctx.challengeWindow) return;
  // A draw sent, or its seed block not past yet: nothing to do before the chain moves on.
  if (work.data.auditWaitBlock !== undefined && ctx.chainHead() <= BigInt(work.data.auditWaitBlock)) return;
  const jobManager = ctx.deployment.contracts.jobManager;
  const current = await getJobRecord(ctx.publicClient, { jobManager, jobId: work.jobId });
  if (current.state === JobState.Finalized) return paid(ctx, work, current.price);
  if (current.state !== JobState.ResultSubmitted) return; // disputed meanwhile: the watcher will tell
  if (await auditHolds(ctx, work, current)) return;
  const outcome = await ctx.sender.send({
    label: "finalize",
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "finalize",
    args: [work.jobId, current],
    context: { jobId: work.jobId.toString() },
  });
  if (outcome.status === "mined") paid(ctx, work, current.price);
  // refused AuditDue (the draw's seed changed under us) or anything else: the next tick looks again.
}

/**
 * Whether the job's random audit holds its payout: if so, records the draw once the seed block is past
 * (ProofOfCompute.drawAudit, which needs `block.number > seedBlock`), and otherwise waits for that block.
 */
async function auditHolds(ctx: AgentContext, work: Work, current: JobRecord): Promise<boolean> {
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const [lastChange, auditDelay] = await Promise.all([
    ctx.publicClient.readContract({
      address: jobManager,
      abi: jobManagerAbi,
      functionName: "lastChangeBlock",
      args: [work.jobId],
    }),
    ctx.publicClient.readContract({
      address: proofOfCompute,
      abi: proofOfComputeAbi,
      functionName: "auditDelay",
    }),
  ]);
  const due = await ctx.publicClient.readContract({
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "auditDue",
    args: [work.jobId, current.verification, lastChange],
  });
  if (!due) return false;
  const seedBlock = lastChange + BigInt(auditDelay);
  const log = ctx.log.child({ jobId: work.jobId.toString() });
  if (ctx.chainHead() <= seedBlock) {
    if (work.data.auditWaitBlock !== Number(seedBlock)) {
      ctx.store.setWork(work.jobId, "submitted", { auditWaitBlock: Number(seedBlock) });
      log.info({ seedBlock: seedBlock.toString() }, "audit due: waiting for its seed block to draw it");
    }
    return true;
  }
  const outcome = await ctx.sender.send({
    label: "drawAudit",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "drawAudit",
    args: [work.jobId, current],
    context: { jobId: work.jobId.toString(), seedBlock: seedBlock.toString() },
  });
  if (outcome.status === "mined") {
    // Clear: finalize next tick. Audited: JobDisputed reaches the store and the verifiers take over.
    ctx.store.setWork(work.jobId, "submitted", { auditWaitBlock: Number(outcome.blockNumber) });
    log.info({ seedBlock: seedBlock.toString(), tx: outcome.hash }, "audit drawn");
  } else if (outcome.status === "refused" && outcome.errorName === "SeedNotReady") {
    ctx.store.setWork(work.jobId, "submitted", { auditWaitBlock: Number(ctx.chainHead()) });
  }
  // Refused otherwise (AuditAlreadyDrawn: someone drew it clear; NotAuditable: disputed meanwhile): the
  // next tick reads the job again.
  return true;
}

function paid(ctx: AgentContext, work: Work, price: bigint) {
  ctx.store.setWork(work.jobId, "finalized", { price });
  ctx.metrics.earnings.inc(Number(price));
  ctx.log.info({ jobId: work.jobId.toString(), price: price.toString() }, "job finalized: paid");
}

/** Phase "finalized": withdraws the node's balance on the job manager (when configured), then done. */
export async function withdrawEarnings(ctx: AgentContext, work: Work): Promise<void> {
  if (await withdrawBalance(ctx)) ctx.store.setWork(work.jobId, "done");
}

/**
 * Withdraws what the job manager holds for this node (pay, verifier fees) to `settle.payoutAddress`, when
 * `settle.autoWithdraw` is on. True once there is nothing left to do; false to try again next tick.
 */
export async function withdrawBalance(ctx: AgentContext): Promise<boolean> {
  if (!ctx.config.settle.autoWithdraw) return true;
  const jobManager = ctx.deployment.contracts.jobManager;
  const balance = await ctx.publicClient.readContract({
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "balanceOf",
    args: [ctx.address],
  });
  if (balance === 0n) return true;
  const to = (ctx.config.settle.payoutAddress ?? ctx.address) as Address;
  const outcome = await ctx.sender.send({
    label: "withdraw",
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "withdraw",
    args: [to],
    context: { amount: balance.toString(), to },
  });
  // Refused: another stage of this agent withdrew it first.
  return outcome.status === "mined" || outcome.status === "refused";
}
