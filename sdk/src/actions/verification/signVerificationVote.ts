import {
  type Address,
  compactSignatureToSignature,
  type Hex,
  parseSignature,
  recoverTypedDataAddress,
  signatureToCompactSignature,
} from "viem";
import type { ArthaWriteContext } from "../../client/context.ts";
import { verificationCommitment } from "./commitVerification.ts";

/** ProofOfCompute's EIP-712 domain name and version (its constructor's `EIP712(...)`). */
export const verificationDomain = { name: "ArthaAIN ProofOfCompute", version: "1" } as const;

/** What a verifier signs off-chain: its commitment for a round of a dispute. */
export const ballotTypes = {
  Ballot: [
    { name: "jobId", type: "uint64" },
    { name: "round", type: "uint8" },
    { name: "commitment", type: "bytes32" },
  ],
} as const;

export type SignVerificationVoteParameters = {
  jobId: bigint;
  /** The dispute's current round: a signature binds to it. */
  round: number;
  /** The wallet's place in the round's draw (< 2k). */
  index: bigint;
  /** The verifier's output root (exact mode) or its metric scaled to an integer (metric mode). */
  result: Hex;
  /** The verifier's verdict (metric mode; part of the commitment in both modes). */
  agrees: boolean;
  /** 32 random bytes hiding the vote until it is revealed. */
  salt: Hex;
};

/** A signed vote as ProofOfCompute.resolveSigned takes it, with who signed it and for which round. */
export type SignedVerificationVote = {
  verifier: Address;
  round: number;
  index: bigint;
  result: Hex;
  agrees: boolean;
  salt: Hex;
  /** keccak256(abi.encode(jobId, verifier, result, agrees, salt)): what the verifier shares first. */
  commitment: Hex;
  /** The EIP-2098 compact signature of Ballot(jobId, round, commitment). */
  r: Hex;
  vs: Hex;
};

/** The typed data of `jobId`'s ballot for `commitment` in `round`, under `proofOfCompute`'s domain. */
export function verificationBallot(
  chainId: number,
  proofOfCompute: Address,
  message: { jobId: bigint; round: number; commitment: Hex },
) {
  return {
    domain: { ...verificationDomain, chainId, verifyingContract: proofOfCompute },
    types: ballotTypes,
    primaryType: "Ballot" as const,
    message,
  };
}

/**
 * Signs the wallet's vote on a disputed job for the off-chain commit-reveal (docs/verification.md, "Signed
 * votes"): the commitment and its signature are shared first; the reveal (`result`, `agrees`, `salt`) only
 * once the round's k signed commitments are in. Sends no transaction.
 */
export async function signVerificationVote(
  ctx: Pick<ArthaWriteContext, "walletClient" | "deployment">,
  { jobId, round, index, result, agrees, salt }: SignVerificationVoteParameters,
): Promise<SignedVerificationVote> {
  const verifier = ctx.walletClient.account.address;
  const commitment = verificationCommitment(jobId, verifier, result, agrees, salt);
  const { chainId, contracts } = ctx.deployment;
  const signature = await ctx.walletClient.signTypedData({
    account: ctx.walletClient.account,
    ...verificationBallot(chainId, contracts.proofOfCompute, { jobId, round, commitment }),
  });
  const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
  return { verifier, round, index, result, agrees, salt, commitment, r, vs: yParityAndS };
}

/**
 * Who signed a ballot (to check a commitment received from a peer before relying on it): the address
 * ProofOfCompute.resolveSigned will recover. A reveal matches the ballot when `verificationCommitment` of it
 * equals `commitment`.
 */
export function recoverBallotSigner(
  chainId: number,
  proofOfCompute: Address,
  ballot: { jobId: bigint; round: number; commitment: Hex; r: Hex; vs: Hex },
): Promise<Address> {
  const { jobId, round, commitment, r, vs } = ballot;
  return recoverTypedDataAddress({
    ...verificationBallot(chainId, proofOfCompute, { jobId, round, commitment }),
    signature: compactSignatureToSignature({ r, yParityAndS: vs }),
  });
}
