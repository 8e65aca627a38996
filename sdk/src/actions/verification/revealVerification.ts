import type { Hash, Hex } from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { proofEventsOf } from "./proofEventsOf.ts";

export type RevealVerificationParameters = {
  jobId: bigint;
  /** What was committed: the result, the verdict and the salt. */
  result: Hex;
  agrees: boolean;
  salt: Hex;
};

export type RevealVerificationReturnType = {
  hash: Hash;
  /** Whether the vote counts for the worker's result (exact mode: `result` equals its output root). */
  agrees: boolean;
};

/**
 * Reveals the wallet's committed verification (docs/verification.md step 5). The reveal phase opens when
 * k verifiers committed or at `commitEnd`, and lasts `revealWindow`; outside it the ArthaTxError is
 * `RevealNotOpen` / `RevealClosed`; other values than the committed ones give `CommitmentMismatch`.
 */
export async function revealVerification(
  ctx: ArthaWriteContext,
  { jobId, result, agrees, salt }: RevealVerificationParameters,
): Promise<RevealVerificationReturnType> {
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const receipt = await sendTransaction(ctx, {
    label: "revealVerification",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "reveal",
    args: [jobId, record, result, agrees, salt],
  });
  const revealed = proofEventsOf(receipt, proofOfCompute).find((l) => l.eventName === "Revealed");
  return { hash: receipt.transactionHash, agrees: revealed?.args.agrees ?? false };
}
