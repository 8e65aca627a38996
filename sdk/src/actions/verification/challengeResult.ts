import type { Address, Hash } from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { ArthaTxError, sendTransaction, simulateTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { ensureAllowance } from "../token/ensureAllowance.ts";
import { proofEventsOf } from "./proofEventsOf.ts";

export type ChallengeResultParameters = { jobId: bigint };

export type ChallengeResultReturnType = {
  hash: Hash;
  challenger: Address;
  /** The bond taken from the wallet: back if the result is rejected, the worker's if it is upheld. */
  bond: bigint;
  /** Chain time after which a dispute without a verifier majority falls back to a refund. */
  timeoutAt: bigint;
  /** The block whose seed draws the verifiers. */
  seedBlock: bigint;
};

/**
 * Challenges a job's result during its challenge window (docs/verification.md step 3): the requester or any
 * active node but the worker may. Approves exactly `challengeBond` of the deployment's token first when
 * needed (InsufficientBalanceError when the wallet holds less), only once the contract would accept the
 * challenge. Refusals are ArthaTxErrors, before anything is sent: `NotAChallenger`,
 * `ChallengeWindowClosed`, `WrongState` (no result, or already disputed), `StaleRecord`.
 */
export async function challengeResult(
  ctx: ArthaWriteContext,
  { jobId }: ChallengeResultParameters,
): Promise<ChallengeResultReturnType> {
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const [record, bond] = await Promise.all([
    getJobRecord(ctx.publicClient, { jobManager, jobId }),
    ctx.publicClient.readContract({
      address: proofOfCompute,
      abi: proofOfComputeAbi,
      functionName: "challengeBond",
    }),
  ]);
  const call = {
    label: "challengeResult",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "challenge",
    args: [jobId, record],
  } as const;
  // The contract checks the job, the window and the challenger before it pulls the bond: a challenge it
  // refuses says so before any approval is sent. Only the bond's missing allowance is left to fix here.
  await simulateTransaction(ctx, call).catch((error: unknown) => {
    if (!(error instanceof ArthaTxError && error.errorName === "ERC20InsufficientAllowance")) throw error;
  });
  await ensureAllowance(ctx, { spender: proofOfCompute, amount: bond });
  const receipt = await sendTransaction(ctx, call);
  const logs = proofEventsOf(receipt, proofOfCompute);
  const challenged = logs.find((l) => l.eventName === "Challenged");
  const drawn = logs.find((l) => l.eventName === "VerifiersDrawn");
  if (challenged?.eventName !== "Challenged" || drawn?.eventName !== "VerifiersDrawn") {
    throw new Error(`challengeResult: transaction ${receipt.transactionHash} opened no dispute`);
  }
  return {
    hash: receipt.transactionHash,
    challenger: challenged.args.challenger,
    bond: challenged.args.bond,
    timeoutAt: BigInt(challenged.args.timeoutAt),
    seedBlock: drawn.args.seedBlock,
  };
}
