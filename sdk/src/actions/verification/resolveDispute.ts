import { type Address, type Hash, isAddressEqual, parseEventLogs, type TransactionReceipt } from "viem";
import { jobManagerAbi, proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaReadContext, ArthaWriteContext } from "../../client/context.ts";
import { scanEvents } from "../../client/scanEvents.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";

export type ResolveDisputeParameters = {
  jobId: bigint;
  /** First block to look for the dispute's `Revealed` events in; default the deployment's start block
   * (bounded by the context's `maxScanBlocks`). */
  fromBlock?: bigint;
};

export type ResolveDisputeReturnType = {
  hash: Hash;
  /** Whether the worker's result stands (Finalized) or not (Failed, the worker's bond slashed). */
  upheld: boolean;
  /** The majority's verifiers as passed to the contract (`resolve`: increasing address order). */
  majority: Address[];
  /** What each payee was credited on the job manager (the majority's fees, the worker, the requester, …). */
  payouts: { payee: Address; amount: bigint }[];
};

/**
 * Applies a dispute's majority verdict (anyone may; docs/verification.md step 7). The majority's verifiers
 * come from the dispute's `Revealed` events (every round's revealed votes count), sorted ascending as the
 * contract checks them. Without a majority yet the ArthaTxError is `NoMajority`; with reveals still due
 * `VotesPending`; once resolved, `NoChallenge`.
 */
export async function resolveDispute(
  ctx: ArthaWriteContext,
  { jobId, fromBlock }: ResolveDisputeParameters,
): Promise<ResolveDisputeReturnType> {
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const [record, { majority }] = await Promise.all([
    getJobRecord(ctx.publicClient, { jobManager, jobId }),
    getDisputeMajority(ctx, { jobId, ...(fromBlock !== undefined ? { fromBlock } : {}) }),
  ]);
  const receipt = await sendTransaction(ctx, {
    label: "resolveDispute",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "resolve",
    args: [jobId, record, majority],
  });
  return verdictOf(receipt, jobManager, majority);
}

/** The verdict a resolving transaction's JobVerified event tells: its payouts, and whether it was upheld. */
export function verdictOf(
  receipt: TransactionReceipt,
  jobManager: Address,
  majority: Address[],
): ResolveDisputeReturnType {
  const [verified] = parseEventLogs({
    abi: jobManagerAbi,
    eventName: "JobVerified",
    logs: receipt.logs.filter((log) => isAddressEqual(log.address, jobManager)),
  });
  if (!verified)
    throw new Error(`transaction ${receipt.transactionHash} settled no verdict (no JobVerified event)`);
  return {
    hash: receipt.transactionHash,
    upheld: verified.args.upheld,
    majority,
    payouts: verified.args.payees.map((payee, i) => ({ payee, amount: verified.args.amounts[i]! })),
  };
}

export type DisputeMajority = {
  /** Whether the revealed votes so far reach a majority (k / 2 + 1) on either side. */
  reached: boolean;
  /** The side with a majority (false also when neither side has one). */
  upheld: boolean;
  agree: number;
  disagree: number;
  /** Live votes (revealed, or committed and still to reveal) of the current round. */
  commits: number;
  /** That side's verifiers in increasing address order, as `resolve` takes them. */
  majority: Address[];
};

/**
 * The majority of a dispute's revealed votes, from its `Revealed` events (every round's revealed votes
 * count) and the dispute's tallies: what `resolve` needs, for resolveDispute and for a node agent that
 * sends the transaction itself.
 */
export async function getDisputeMajority(
  ctx: ArthaReadContext,
  { jobId, fromBlock }: ResolveDisputeParameters,
): Promise<DisputeMajority> {
  const { proofOfCompute } = ctx.deployment.contracts;
  const [[dispute], k] = await Promise.all([
    ctx.publicClient.readContract({
      address: proofOfCompute,
      abi: proofOfComputeAbi,
      functionName: "disputeOf",
      args: [jobId],
    }),
    ctx.publicClient.readContract({
      address: proofOfCompute,
      abi: proofOfComputeAbi,
      functionName: "verifiers",
    }),
  ]);
  const needed = Math.floor(k / 2) + 1;
  const upheld = dispute.agree >= needed;
  const revealed = await scanEvents(ctx, {
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    eventName: "Revealed",
    args: { jobId },
    ...(fromBlock !== undefined ? { fromBlock } : {}),
  });
  const majority: Address[] = [];
  for (const e of revealed) {
    if (e.args.agrees !== upheld || majority.some((m) => isAddressEqual(m, e.args.verifier))) continue;
    majority.push(e.args.verifier);
  }
  majority.sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0));
  return {
    reached: upheld || dispute.disagree >= needed,
    upheld,
    agree: dispute.agree,
    disagree: dispute.disagree,
    commits: dispute.commits,
    majority,
  };
}
