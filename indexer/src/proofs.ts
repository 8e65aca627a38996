// ProofOfCompute: challenges and audits of results, the verifiers' draws, commits and reveals, and how
// disputes end. Each step goes on the job's timeline (and so on its story); the job's own side (disputed,
// verified, finalized or failed, who was paid) is AIJobManager's events (jobs.ts).
import { ponder } from "ponder:registry";
import { challenge, job } from "ponder:schema";
import { and, eq } from "ponder";
import { type Address, zeroAddress } from "viem";
import { type Context, originOf } from "./origin.ts";
import { tell, tellOnTimeline, updateChallenge } from "./story.ts";

/** The job's open challenge, if any (one at a time: a disputed job cannot be challenged again; audits have none). */
async function openChallenge(context: Context, jobId: bigint) {
  const [open] = await context.db.sql
    .select()
    .from(challenge)
    .where(and(eq(challenge.jobId, jobId), eq(challenge.status, "open")));
  return open;
}

const orNull = (a: Address) => (a === zeroAddress ? null : a);

ponder.on("ProofOfCompute:Challenged", async ({ event, context }) => {
  const { jobId, challenger, bond, timeoutAt } = event.args;
  await tell(context, "challenges", {
    id: event.id,
    jobId,
    challenger,
    bond,
    timeoutAt: BigInt(timeoutAt),
    status: "open",
    bondReturned: null,
    ...originOf(event),
  });
});

ponder.on("ProofOfCompute:AuditDrawn", async ({ event, context }) => {
  const { jobId, audited, seedBlock } = event.args;
  await tellOnTimeline(context, event, jobId, "AuditDrawn", { data: { audited, seedBlock } });
});

ponder.on("ProofOfCompute:VerifiersDrawn", async ({ event, context }) => {
  const { jobId, round, seed, seedBlock, commitEnd } = event.args;
  // A zero seed: the verifiers wait for block `seedBlock`'s (the first commit fixes it).
  await tellOnTimeline(context, event, jobId, "VerifiersDrawn", {
    data: { round, seed: seed === 0n ? null : seed, seedBlock, commitEnd },
  });
});

ponder.on("ProofOfCompute:Committed", async ({ event, context }) => {
  const { jobId, verifier, round, index } = event.args;
  await tellOnTimeline(context, event, jobId, "Committed", { node: verifier, data: { round, index } });
});

ponder.on("ProofOfCompute:Revealed", async ({ event, context }) => {
  const { jobId, verifier, result: revealed, agrees } = event.args;
  await tellOnTimeline(context, event, jobId, "Revealed", {
    node: verifier,
    data: { result: revealed, agrees },
  });
});

ponder.on("ProofOfCompute:VerifierSlashed", async ({ event, context }) => {
  // The stake itself moves with NodeRegistry's Slashed (the node's counters, nodes.ts).
  const { jobId, verifier, amount } = event.args;
  await tellOnTimeline(context, event, jobId, "VerifierSlashed", { node: verifier, amount });
});

ponder.on("ProofOfCompute:DisputeResolved", async ({ event, context }) => {
  // Follows the job manager's JobVerified (and JobFinalized when upheld), which moved the job and the money.
  const { jobId, upheld, challenger, agree, disagree } = event.args;
  await tellOnTimeline(context, event, jobId, "DisputeResolved", {
    data: { upheld, challenger: orNull(challenger), agree, disagree },
  });
  const open = await openChallenge(context, jobId);
  if (!open) return; // an audit
  // The verdict is on the result: upheld, the challenger was wrong and its bond went to the worker.
  await updateChallenge(context, jobId, open.id, {
    status: upheld ? "upheld" : "rejected",
    bondReturned: upheld ? 0n : open.bond,
  });
  const worker = (await context.db.find(job, { id: jobId }))?.node;
  if (upheld && worker && open.bond > 0n) {
    await tell(context, "payouts", {
      id: `${event.id}:challengeBond`,
      kind: "challengeBond",
      account: worker,
      jobId,
      amount: open.bond,
      ...originOf(event),
    });
  }
});

ponder.on("ProofOfCompute:DisputeUnresolved", async ({ event, context }) => {
  const { jobId, challenger, bondReturned } = event.args;
  await tellOnTimeline(context, event, jobId, "DisputeUnresolved", {
    data: { challenger: orNull(challenger), bondReturned },
  });
  const open = await openChallenge(context, jobId);
  if (open) await updateChallenge(context, jobId, open.id, { status: "unresolved", bondReturned });
});
