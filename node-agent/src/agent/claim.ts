// Stage: decide → claim. Every agent ranks the valid bids it saw with the same rule; the winner claims when
// the bid window closes, the runner-up at rank r only r × claimStepS later and only if no claim at or
// below its own price landed meanwhile. The on-chain reverse auction keeps the outcome right whatever
// gossip did: a lower claim always replaces a higher one.
import { getJobRecord, type JobRecord, JobState, jobManagerAbi } from "@arthaain/sdk";
import type { Work } from "../state/openStore.ts";
import type { AgentContext } from "./context.ts";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Phase "bid": claims when it is this node's turn; moves to claimed or lost. */
export async function claimWhenOurTurn(ctx: AgentContext, work: Work): Promise<void> {
  const stored = ctx.store.job(work.jobId);
  if (!stored) return;
  const job = stored.job;
  const log = ctx.log.child({ jobId: work.jobId.toString() });
  const now = ctx.chainNow();
  const bidEnd = BigInt(job.bidEnd);
  if (now < bidEnd) return;
  const claimEnd = bidEnd + ctx.claimWindow;
  const myPrice = work.data.price!;

  const ranked = ctx.market.bidsFor(work.jobId); // winner first (rankBids)
  let rank = ranked.findIndex((b) => same(b.node, ctx.address));
  if (rank < 0) rank = ranked.length;
  const myTurn = bidEnd + BigInt(Math.ceil(rank * ctx.config.market.claimStepS));
  if (now < myTurn && now < claimEnd - 1n) return;

  // The chain, not the confirmed store, decides: a claim mined a block ago must stop ours.
  const jobManager = ctx.deployment.contracts.jobManager;
  const current = await getJobRecord(ctx.publicClient, { jobManager, jobId: work.jobId });
  const lose = (reason: string) => {
    ctx.store.setWork(work.jobId, "lost", { reason });
    ctx.market.forget(work.jobId);
    ctx.metrics.claimsLost.inc();
    log.info({ reason }, "auction lost");
  };
  if (current.state === JobState.Claimed && same(current.claimer, ctx.address)) {
    ctx.store.setWork(work.jobId, "claimed");
    return;
  }
  if (!stillClaimable(current, myPrice)) {
    return lose(
      current.state === JobState.Claimed
        ? `${current.claimer} claimed at ${current.price}, not above our ${myPrice}`
        : `job is no longer claimable (state ${current.state})`,
    );
  }
  if (ctx.chainNow() >= claimEnd) return lose("the claim window closed before our turn");

  const dependencies = await dependencyRecords(ctx, stored.details.dependsOn ?? []);
  log.info(
    { rank, bids: ranked.length, price: myPrice.toString() },
    rank === 0 ? "won the auction: claiming" : "runner-up: claiming",
  );
  const outcome = await ctx.sender.send({
    label: "claim",
    address: ctx.deployment.contracts.jobManager,
    abi: jobManagerAbi,
    functionName: "claim",
    args: [work.jobId, current, myPrice, dependencies],
    context: { jobId: work.jobId.toString(), price: myPrice.toString() },
  });
  if (outcome.status === "mined") {
    ctx.metrics.claimsSent.inc();
    ctx.store.setWork(work.jobId, "claimed", { claimTx: outcome.hash });
  } else if (outcome.status === "refused" || outcome.status === "reverted") {
    if (outcome.status === "reverted") ctx.metrics.claimsSent.inc();
    // A claim that landed between our read and our send (StaleJobRecord) is no reason to give up: if ours
    // is still lower and the window open, the next tick claims again against the new record.
    const after = await getJobRecord(ctx.publicClient, { jobManager, jobId: work.jobId });
    if (after.state === JobState.Claimed && same(after.claimer, ctx.address))
      ctx.store.setWork(work.jobId, "claimed");
    else if (!stillClaimable(after, myPrice) || ctx.chainNow() >= claimEnd) {
      lose(`claim ${outcome.status}: ${"reason" in outcome ? outcome.reason : outcome.hash}`);
    }
  }
  // "failed" (RPC trouble): stay in "bid" and try again on the next tick while the window is open.
}

/** Whether a claim at `price` could still take the job: open, or claimed at a higher price. */
function stillClaimable(job: JobRecord, price: bigint): boolean {
  return job.state === JobState.Open || (job.state === JobState.Claimed && job.price > price);
}

/** Phase "claimed": assigned once the claim window closes with our claim standing; lost if outbid. */
export async function awaitAssignment(ctx: AgentContext, work: Work): Promise<void> {
  const stored = ctx.store.job(work.jobId);
  if (!stored) return;
  const claimEnd = BigInt(stored.job.bidEnd) + ctx.claimWindow;
  if (ctx.chainNow() < claimEnd) {
    // Only a lower claim outbids us: a higher one in the (confirmation-delayed) store is one ours replaced.
    const j = stored.job;
    if (j.state === JobState.Claimed && !same(j.claimer, ctx.address) && j.price < work.data.price!) {
      ctx.store.setWork(work.jobId, "lost", {
        reason: `outbid by ${stored.job.claimer} at ${stored.job.price}`,
      });
      ctx.market.forget(work.jobId);
      ctx.metrics.claimsLost.inc();
    }
    return;
  }
  const current = await getJobRecord(ctx.publicClient, {
    jobManager: ctx.deployment.contracts.jobManager,
    jobId: work.jobId,
  });
  ctx.market.forget(work.jobId);
  if (current.state === JobState.Claimed && same(current.claimer, ctx.address)) {
    ctx.store.setWork(work.jobId, "assigned", { price: current.price, assignedAtMs: Date.now() });
    ctx.metrics.claimsWon.inc();
    ctx.log.info(
      { jobId: work.jobId.toString(), price: current.price.toString() },
      "assigned: running the job",
    );
  } else {
    ctx.store.setWork(work.jobId, "lost", { reason: `assigned to ${current.claimer}` });
    ctx.metrics.claimsLost.inc();
  }
}

/** The current records of the jobs `dependsOn` names, in order (the claim call takes them). */
export async function dependencyRecords(ctx: AgentContext, dependsOn: bigint[]): Promise<JobRecord[]> {
  return Promise.all(
    dependsOn.map((d) =>
      getJobRecord(ctx.publicClient, { jobManager: ctx.deployment.contracts.jobManager, jobId: d }),
    ),
  );
}
