import type { Hash } from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { proofEventsOf } from "./proofEventsOf.ts";

export type NextVerificationRoundParameters = { jobId: bigint };

export type NextVerificationRoundReturnType = {
  hash: Hash;
  round: number;
  /** The new round's seed block (its seed is fixed by the first commit or `drawVerifiers`). */
  seedBlock: bigint;
  commitEnd: bigint;
};

/**
 * Starts a dispute's next verifier round once the reveal phase ended without a majority (anyone may;
 * docs/verification.md step 8): revealed votes are kept, the other places are drawn again from a new seed.
 * Refusals: `RoundNotOver`, `MajorityReached` (resolve it instead), `NoRoundsLeft`.
 */
export async function nextVerificationRound(
  ctx: ArthaWriteContext,
  { jobId }: NextVerificationRoundParameters,
): Promise<NextVerificationRoundReturnType> {
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const receipt = await sendTransaction(ctx, {
    label: "nextVerificationRound",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "nextRound",
    args: [jobId, record],
  });
  const drawn = proofEventsOf(receipt, proofOfCompute).find((l) => l.eventName === "VerifiersDrawn");
  if (!drawn) throw new Error(`nextVerificationRound: no VerifiersDrawn event in ${receipt.transactionHash}`);
  return {
    hash: receipt.transactionHash,
    round: drawn.args.round,
    seedBlock: drawn.args.seedBlock,
    commitEnd: BigInt(drawn.args.commitEnd),
  };
}
