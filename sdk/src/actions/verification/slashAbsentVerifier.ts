import { type Address, type Hash, isAddress } from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { proofEventsOf } from "./proofEventsOf.ts";

export type SlashAbsentVerifierParameters = { jobId: bigint; verifier: Address };

export type SlashAbsentVerifierReturnType = {
  hash: Hash;
  /** Stake taken from the verifier, credited to the job's requester. */
  amount: bigint;
};

/**
 * Slashes a verifier that committed and did not reveal by the end of its round by `absentPenalty` of its
 * stake, to the requester (anyone may; docs/verification.md step 8). Refusals: `NotAbsent` (it revealed,
 * never committed, or was slashed already), `RoundNotOver`.
 */
export async function slashAbsentVerifier(
  ctx: ArthaWriteContext,
  { jobId, verifier }: SlashAbsentVerifierParameters,
): Promise<SlashAbsentVerifierReturnType> {
  if (!isAddress(verifier)) {
    throw new Error(
      `slashAbsentVerifier: verifier: expected an address (0x and 40 hex digits), got ${JSON.stringify(verifier)}`,
    );
  }
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const receipt = await sendTransaction(ctx, {
    label: "slashAbsentVerifier",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "slashAbsent",
    args: [jobId, record, verifier],
  });
  const slashed = proofEventsOf(receipt, proofOfCompute).find((l) => l.eventName === "VerifierSlashed");
  return { hash: receipt.transactionHash, amount: slashed?.args.amount ?? 0n };
}
