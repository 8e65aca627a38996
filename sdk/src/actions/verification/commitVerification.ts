import {
  type Address,
  encodeAbiParameters,
  type Hash,
  type Hex,
  isAddressEqual,
  keccak256,
  parseAbiParameters,
} from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getVerifierDraw } from "./getVerifierDraw.ts";

export type CommitVerificationParameters = {
  jobId: bigint;
  /** The verifier's output root (exact mode) or its metric scaled to an integer (metric mode). */
  result: Hex;
  /** The verifier's verdict (metric mode; committed but not counted in exact mode). */
  agrees: boolean;
  /** 32 random bytes, kept until the reveal: without them the vote cannot be revealed (and is slashed). */
  salt: Hex;
  /** The wallet's place in the round's draw; default: found with getVerifierDraw. */
  index?: bigint;
};

export type CommitVerificationReturnType = { hash: Hash; commitment: Hex; index: bigint; round: number };

/** keccak256(abi.encode(uint64 jobId, address verifier, bytes32 result, bool agrees, bytes32 salt)). */
export function verificationCommitment(
  jobId: bigint,
  verifier: Address,
  result: Hex,
  agrees: boolean,
  salt: Hex,
): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters("uint64, address, bytes32, bool, bytes32"), [
      jobId,
      verifier,
      result,
      agrees,
      salt,
    ]),
  );
}

/**
 * Commits the wallet's verification result for a disputed job (docs/verification.md step 5): the commitment
 * binds the wallet's address, so nobody can copy it. The wallet must be drawn in the current round; without
 * `index` its place is looked up (an Error when it is not drawn). A refusal (`CommitClosed`, `NotDrawn`,
 * `VerifiersComplete`, `AlreadyVoted`, `SeedNotReady`, …) is an ArthaTxError.
 */
export async function commitVerification(
  ctx: ArthaWriteContext,
  { jobId, result, agrees, salt, index }: CommitVerificationParameters,
): Promise<CommitVerificationReturnType> {
  const { proofOfCompute, nodeRegistry } = ctx.deployment.contracts;
  const verifier = ctx.walletClient.account.address;
  const draw = await getVerifierDraw(ctx.publicClient, { proofOfCompute, nodeRegistry, jobId });
  if (!draw) throw new Error(`commitVerification: job ${jobId} has no open dispute`);
  let place = index;
  if (place === undefined) {
    place = draw.verifiers.find((v) => isAddressEqual(v.address, verifier))?.index;
    if (place === undefined) {
      throw new Error(
        draw.seed === null
          ? `commitVerification: job ${jobId} round ${draw.round}: the seed of block ${draw.seedBlock} is ${draw.seedStatus}`
          : `commitVerification: ${verifier} is not drawn in round ${draw.round} of job ${jobId}`,
      );
    }
  }
  const commitment = verificationCommitment(jobId, verifier, result, agrees, salt);
  const receipt = await sendTransaction(ctx, {
    label: "commitVerification",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "commit",
    args: [jobId, place, commitment],
  });
  return { hash: receipt.transactionHash, commitment, index: place, round: draw.round };
}
