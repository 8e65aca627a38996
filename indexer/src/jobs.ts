// AIJobManager: every job event carries the job's whole new record, so the job row is that record, and
// the event goes on the job's timeline (and, where it moves tokens or concerns a node, on theirs). What
// concerns one job is told on its story too (story.ts).

import { ponder } from "ponder:registry";
import { checkpoint, job, node, nodeEvent, payout } from "ponder:schema";
import { type JobRecord, jobSpecKinds, jobStateLabel } from "@arthaain/sdk";
import { type Address, zeroAddress, zeroHash } from "viem";
import { type Context, type EventMeta, json, originOf } from "./origin.ts";
import { beginStory, tell } from "./story.ts";

/** The job row's fields that follow the record. */
function fromRecord(r: JobRecord, e: EventMeta) {
  return {
    state: jobStateLabel(r.state),
    kind: jobSpecKinds[r.kind] ?? String(r.kind),
    price: r.price,
    node: r.claimer === zeroAddress ? null : r.claimer,
    attempts: r.attempts,
    bidEnd: BigInt(r.bidEnd),
    maxRuntime: BigInt(r.maxRuntime),
    resultAt: BigInt(r.resultAt),
    outputRoot: r.outputRoot === zeroHash ? null : r.outputRoot,
    record: json(r),
    updatedBlock: e.block.number,
    updatedAt: e.block.timestamp,
  };
}

/** The job takes the event's record; the event goes on its timeline. */
async function recordJobEvent(
  context: Context,
  e: EventMeta & { args: { jobId: bigint; job: JobRecord } },
  name: string,
  extra: { node?: Address | null; amount?: bigint; data?: Record<string, unknown>; row?: object } = {},
) {
  const { jobId, job: record } = e.args;
  await context.db.update(job, { id: jobId }).set({ ...fromRecord(record, e), ...extra.row });
  await tell(context, "timeline", {
    id: e.id,
    jobId,
    name,
    state: jobStateLabel(record.state),
    node: extra.node ?? null,
    amount: extra.amount ?? null,
    data: extra.data ? json(extra.data) : null,
    logIndex: e.log.logIndex,
    ...originOf(e),
  });
}

/** A node-side line of history for a job event, and the node's counters. */
async function recordNodeJobEvent(
  context: Context,
  e: EventMeta,
  address: Address,
  name: string,
  jobId: bigint,
  amount: bigint | null,
  counters: (row: typeof node.$inferSelect) => Partial<typeof node.$inferInsert>,
  key: string = name,
) {
  const row = await context.db.find(node, { address });
  // A claim is only possible for a registered node, but a payout can follow a deregistration.
  if (row) await context.db.update(node, { address }).set({ ...counters(row), updatedBlock: e.block.number });
  await context.db.insert(nodeEvent).values({
    id: `${e.id}:${key}`,
    node: address,
    name,
    jobId,
    amount,
    data: null,
    ...originOf(e),
  });
}

/** Payout kinds credited by job events (ponder.schema.ts, `payout`). */
type CreditKind = "nodePayment" | "nodeFee" | "refund" | "slashedBond" | "verifierFee" | "slashShare";

/** A payout on the job's story; `key` tells apart several of one kind in one event (default: the kind). */
async function credit(
  context: Context,
  e: EventMeta,
  kind: CreditKind,
  account: Address,
  jobId: bigint,
  amount: bigint,
  key: string = kind,
) {
  if (amount === 0n) return;
  await tell(context, "payouts", { id: `${e.id}:${key}`, kind, account, jobId, amount, ...originOf(e) });
}

ponder.on("JobManager:JobSubmitted", async ({ event, context }) => {
  const { jobId, job: record } = event.args;
  await context.db.insert(job).values({
    id: jobId,
    requester: event.args.requester,
    modelId: BigInt(event.args.modelId),
    datasetId: BigInt(record.datasetId),
    imageDigest: event.args.imageDigest,
    specHash: event.args.specHash,
    specUri: event.args.specUri,
    dependsOn: [...event.args.dependsOn],
    maxPrice: record.maxPrice,
    submittedBlock: event.block.number,
    submittedAt: event.block.timestamp,
    submittedTx: event.transaction.hash,
    ...fromRecord(record, event),
  });
  await beginStory(context, jobId);
  await recordJobEvent(context, event, "JobSubmitted", {
    amount: record.maxPrice,
    data: { specUri: event.args.specUri, dependsOn: event.args.dependsOn },
  });
});

ponder.on("JobManager:JobClaimed", async ({ event, context }) => {
  const { jobId, node: claimer, previous, job: record } = event.args;
  const replaced = previous === zeroAddress ? null : previous;
  await recordJobEvent(context, event, "JobClaimed", {
    node: claimer,
    amount: record.price,
    data: replaced ? { previous: replaced } : {},
  });
  await tell(context, "claims", {
    id: event.id,
    jobId,
    node: claimer,
    previous: replaced,
    price: record.price,
    attempt: record.attempts,
    ...originOf(event),
  });
  await recordNodeJobEvent(context, event, claimer, "claimed", jobId, record.price, (n) => ({
    claims: n.claims + 1,
  }));
  if (replaced) {
    await recordNodeJobEvent(context, event, replaced, "outbid", jobId, null, (n) => ({
      outbid: n.outbid + 1,
    }));
  }
});

ponder.on("JobManager:JobReopened", async ({ event, context }) => {
  await recordJobEvent(context, event, "JobReopened");
});

ponder.on("JobManager:JobNodeSlashed", async ({ event, context }) => {
  const { jobId, node: late, bond } = event.args;
  // This event carries no record: the job's state moves with the JobReopened or JobExpired that follows.
  const current = await context.db.find(job, { id: jobId });
  await tell(context, "timeline", {
    id: event.id,
    jobId,
    name: "JobNodeSlashed",
    state: current?.state ?? "claimed",
    node: late,
    amount: bond,
    data: null,
    logIndex: event.log.logIndex,
    ...originOf(event),
  });
  await recordNodeJobEvent(context, event, late, "missedDeadline", jobId, bond, (n) => ({
    failed: n.failed + 1,
  }));
  if (current) await credit(context, event, "slashedBond", current.requester, jobId, bond);
});

ponder.on("JobManager:ResultSubmitted", async ({ event, context }) => {
  const { jobId, node: runner, metricsHash, outputUri, job: record } = event.args;
  await recordJobEvent(context, event, "ResultSubmitted", {
    node: runner,
    data: { outputRoot: record.outputRoot, metricsHash, outputUri },
    row: { outputUri, metricsHash },
  });
  await tell(context, "results", {
    id: event.id,
    jobId,
    node: runner,
    outputRoot: record.outputRoot,
    metricsHash,
    outputUri,
    ...originOf(event),
  });
});

ponder.on("JobManager:JobFinalized", async ({ event, context }) => {
  const { jobId, node: runner, refund, job: record } = event.args;
  await recordJobEvent(context, event, "JobFinalized", {
    node: runner,
    amount: record.price,
    data: { refund },
  });
  await recordNodeJobEvent(context, event, runner, "paid", jobId, record.price, (n) => ({
    completed: n.completed + 1,
    earnings: n.earnings + record.price,
  }));
  await credit(context, event, "nodePayment", runner, jobId, record.price);
  await credit(context, event, "refund", record.requester, jobId, refund);
  // A train job's output becomes a checkpoint of its model (AIJobManager.jobCheckpoint).
  if (jobSpecKinds[record.kind] === "train" && record.modelId !== 0) {
    const submitted = await context.db.find(job, { id: jobId });
    await context.db.insert(checkpoint).values({
      id: `job-${jobId}`,
      source: "job",
      registryId: null,
      modelId: BigInt(record.modelId),
      jobId,
      node: runner,
      datasetId: BigInt(record.datasetId),
      contentHash: record.outputRoot,
      uri: submitted?.outputUri ?? "",
      step: null,
      ...originOf(event),
    });
  }
});

ponder.on("JobManager:JobCancelled", async ({ event, context }) => {
  const { jobId, node: assigned, nodeFee, refund, job: record } = event.args;
  const paidNode = assigned === zeroAddress ? null : assigned;
  await recordJobEvent(context, event, "JobCancelled", {
    node: paidNode,
    amount: refund,
    data: { nodeFee, refund },
  });
  await credit(context, event, "refund", record.requester, jobId, refund);
  if (paidNode && nodeFee > 0n) {
    await credit(context, event, "nodeFee", paidNode, jobId, nodeFee);
    await recordNodeJobEvent(context, event, paidNode, "cancellationFee", jobId, nodeFee, (n) => ({
      earnings: n.earnings + nodeFee,
    }));
  }
});

ponder.on("JobManager:JobExpired", async ({ event, context }) => {
  const { jobId, refund, job: record } = event.args;
  await recordJobEvent(context, event, "JobExpired", { amount: refund, data: { refund } });
  await credit(context, event, "refund", record.requester, jobId, refund);
});

ponder.on("JobManager:JobDisputed", async ({ event, context }) => {
  // A zero challenger is an audit (ProofOfCompute.drawAudit): the job has no challenger.
  const challenger = event.args.challenger === zeroAddress ? null : event.args.challenger;
  await recordJobEvent(context, event, "JobDisputed", {
    data: { challenger, audit: challenger === null },
    row: { challenger },
  });
});

ponder.on("JobManager:JobVerified", async ({ event, context }) => {
  const { jobId, node: worker, upheld, slashed, payees, amounts } = event.args;
  const { challenger } = (await context.db.find(job, { id: jobId })) ?? { challenger: null };
  await recordJobEvent(context, event, "JobVerified", {
    node: worker,
    amount: upheld ? undefined : slashed,
    data: { upheld, slashed, payees, amounts },
  });
  // Payees (ProofOfCompute._payouts): the majority's verifiers, then the worker (upheld) or a challenger
  // proven right (rejected, when there was one), and the requester last, with the rest. An upheld verdict
  // is followed by JobFinalized, which credits the worker's price and the requester's rest: only the
  // verifiers are credited here.
  const verifiers = payees.length - (upheld || challenger ? 2 : 1);
  for (let i = 0; i < verifiers; i++) {
    const [verifier, fee] = [payees[i]!, amounts[i]!];
    if (fee === 0n) continue;
    await credit(context, event, "verifierFee", verifier, jobId, fee, `verifierFee:${i}`);
    await recordNodeJobEvent(
      context,
      event,
      verifier,
      "verifierFee",
      jobId,
      fee,
      (n) => ({ earnings: n.earnings + fee }),
      `verifierFee:${i}`,
    );
  }
  if (upheld) return;
  if (challenger) {
    await credit(context, event, "slashShare", payees[verifiers]!, jobId, amounts[verifiers]!);
  }
  await credit(context, event, "refund", payees[payees.length - 1]!, jobId, amounts[amounts.length - 1]!);
  // The bond itself moves with NodeRegistry's Slashed (slashes, slashed: nodes.ts).
  await recordNodeJobEvent(context, event, worker, "resultRejected", jobId, slashed, (n) => ({
    failed: n.failed + 1,
  }));
});

ponder.on("JobManager:JobRefunded", async ({ event, context }) => {
  const { jobId, node: runner, refund, job: record } = event.args;
  await recordJobEvent(context, event, "JobRefunded", { node: runner, amount: refund, data: { refund } });
  await credit(context, event, "refund", record.requester, jobId, refund);
});

ponder.on("JobManager:Withdrawn", async ({ event, context }) => {
  // Recorded under the account whose balance it was (`to` is only where the tokens went).
  const { account, amount } = event.args;
  await context.db.insert(payout).values({
    id: event.id,
    kind: "withdrawal",
    account,
    jobId: null,
    amount,
    ...originOf(event),
  });
});
