import { type Address, type Hash, isAddress } from "viem";
import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getWithdrawable } from "./getWithdrawable.ts";

export type WithdrawFundsParameters = {
  /** Where the tokens go; default the wallet's own address. */
  to?: Address;
};

export type WithdrawFundsReturnType = {
  /** Paid out, in base units; 0n when there was nothing to withdraw (and nothing was sent). */
  amount: bigint;
  to: Address;
  hash?: Hash;
};

/**
 * Pays out the wallet's whole withdrawable balance on the job manager (refunds, earnings) to `to`. Sends
 * nothing when the balance is zero.
 */
export async function withdrawFunds(
  ctx: ArthaWriteContext,
  p: WithdrawFundsParameters = {},
): Promise<WithdrawFundsReturnType> {
  if (p.to !== undefined && !isAddress(p.to)) {
    throw new Error(
      `withdrawFunds: to: expected an address (0x and 40 hex digits), got ${JSON.stringify(p.to)}`,
    );
  }
  const account = ctx.walletClient.account.address;
  const to = p.to ?? account;
  const amount = await getWithdrawable(ctx, { account });
  if (amount === 0n) return { amount, to };
  const receipt = await sendTransaction(ctx, {
    label: "withdraw",
    address: ctx.deployment.contracts.jobManager,
    abi: jobManagerAbi,
    functionName: "withdraw",
    args: [to],
  });
  return { amount, to, hash: receipt.transactionHash };
}
