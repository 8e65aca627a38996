import type { Address } from "viem";
import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";

export type GetWithdrawableParameters = { account: Address };

/**
 * What the job manager holds for `account` to withdraw: a requester's refunds (cancelled jobs, the unspent
 * part of a budget) and a node's earnings, in the token's base units.
 */
export function getWithdrawable(
  ctx: ArthaReadContext,
  { account }: GetWithdrawableParameters,
): Promise<bigint> {
  return ctx.publicClient.readContract({
    address: ctx.deployment.contracts.jobManager,
    abi: jobManagerAbi,
    functionName: "balanceOf",
    args: [account],
  });
}
