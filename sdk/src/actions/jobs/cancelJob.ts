import { type Hash, isAddressEqual, parseEventLogs } from "viem";
import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord, type JobRecord } from "../getJobRecord.ts";

export type CancelJobParameters = { jobId: bigint };

export type CancelJobReturnType = {
  hash: Hash;
  /** Credited to the requester's withdrawable balance on the job manager (`withdraw` pays it out). */
  refunded?: bigint;
  /** Kept by the assigned node when the job was cancelled after assignment. */
  nodeFee?: bigint;
  /** The job's record after the cancel. */
  record?: JobRecord;
};

/**
 * Cancels one of the wallet's jobs: a full refund before assignment, the node keeps its cancel fee after.
 * Reads the current record itself. A refusal (not the requester, not cancellable, deadline passed) is an
 * ArthaTxError with the contract's error name.
 */
export async function cancelJob(
  ctx: ArthaWriteContext,
  { jobId }: CancelJobParameters,
): Promise<CancelJobReturnType> {
  const jobManager = ctx.deployment.contracts.jobManager;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const receipt = await sendTransaction(ctx, {
    label: "cancelJob",
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "cancel",
    args: [jobId, record],
  });
  const [cancelled] = parseEventLogs({
    abi: jobManagerAbi,
    eventName: "JobCancelled",
    logs: receipt.logs.filter((log) => isAddressEqual(log.address, jobManager)),
  });
  return {
    hash: receipt.transactionHash,
    ...(cancelled
      ? { refunded: cancelled.args.refund, nodeFee: cancelled.args.nodeFee, record: cancelled.args.job }
      : {}),
  };
}
