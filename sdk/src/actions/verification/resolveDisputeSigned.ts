import type { Address } from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { type ResolveDisputeReturnType, verdictOf } from "./resolveDispute.ts";
import type { SignedVerificationVote } from "./signVerificationVote.ts";

export type ResolveDisputeSignedParameters = {
  jobId: bigint;
  /** k unanimous votes of distinct verifiers drawn in the dispute's current round (signVerificationVote). */
  votes: readonly SignedVerificationVote[];
};

/** The votes as resolveSigned takes them (its `SignedVote[]`, in the order given). */
export function signedVoteArgs(votes: readonly SignedVerificationVote[]) {
  return votes.map(({ index, result, agrees, salt, r, vs }) => ({ index, result, agrees, salt, r, vs }));
}

/**
 * Settles a dispute's current round in one transaction with the votes its verifiers exchanged off-chain
 * (docs/verification.md, "Signed votes"): instead of k commits, k reveals and a resolve. Anyone holding the
 * votes may send it. A refusal is an ArthaTxError: `NotUnanimous` (a split vote: verify on-chain instead),
 * `OnChainVotes` (the round's on-chain commit-reveal began), `BadSignature`, `DuplicateVerifier`,
 * `VoteCount`, `NoChallenge` (already settled).
 */
export async function resolveDisputeSigned(
  ctx: ArthaWriteContext,
  { jobId, votes }: ResolveDisputeSignedParameters,
): Promise<ResolveDisputeReturnType> {
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const receipt = await sendTransaction(ctx, {
    label: "resolveDisputeSigned",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "resolveSigned",
    args: [jobId, record, signedVoteArgs(votes)],
  });
  const verifiers: Address[] = votes.map((v) => v.verifier);
  return verdictOf(receipt, jobManager, verifiers);
}
