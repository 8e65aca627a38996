import { type Address, erc20Abi, type Hash } from "viem";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { requireTokenBalance } from "./tokenBalance.ts";

export type EnsureAllowanceParameters = {
  spender: Address;
  amount: bigint;
  /** Default: the deployment's token. */
  token?: Address;
};

export type EnsureAllowanceReturnType = {
  /** The allowance after the call. */
  allowance: bigint;
  /** The approve transaction, when one was needed. */
  hash?: Hash;
};

/**
 * Makes sure `spender` may take `amount` of the wallet's tokens. Checks the balance first
 * (InsufficientBalanceError in token units); if the allowance is below `amount`, approves exactly `amount`
 * (never an unlimited allowance), otherwise sends nothing.
 */
export async function ensureAllowance(
  ctx: ArthaWriteContext,
  { spender, amount, token = ctx.deployment.contracts.token }: EnsureAllowanceParameters,
): Promise<EnsureAllowanceReturnType> {
  if (amount < 0n) throw new Error(`amount: expected a non-negative amount, got ${amount}`);
  const owner = ctx.walletClient.account.address;
  await requireTokenBalance(ctx, { account: owner, amount, purpose: `an allowance for ${spender}`, token });
  const allowance = await ctx.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, spender],
  });
  if (allowance >= amount) return { allowance };
  const receipt = await sendTransaction(ctx, {
    label: "approve",
    address: token,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, amount],
  });
  return { allowance: amount, hash: receipt.transactionHash };
}
