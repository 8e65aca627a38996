import { type Address, erc20Abi, formatUnits } from "viem";
import type { ArthaReadContext } from "../../client/context.ts";

/** The account holds less of the token than an action needs; both amounts are in base units. */
export class InsufficientBalanceError extends Error {
  override readonly name = "InsufficientBalanceError";
  readonly account: Address;
  readonly balance: bigint;
  readonly needed: bigint;
  constructor(account: Address, balance: bigint, needed: bigint, message: string) {
    super(message);
    this.account = account;
    this.balance = balance;
    this.needed = needed;
  }
}

export type RequireTokenBalanceParameters = {
  account: Address;
  amount: bigint;
  /** What the tokens are for, in the error: "the escrow of job submission". */
  purpose: string;
  /** Default: the deployment's token. */
  token?: Address;
};

/**
 * Checks that `account` holds at least `amount` of the token; throws InsufficientBalanceError with both
 * numbers in token units ("holds 10 aUSD, needs 100 aUSD") otherwise. Returns the balance.
 */
export async function requireTokenBalance(
  ctx: ArthaReadContext,
  { account, amount, purpose, token = ctx.deployment.contracts.token }: RequireTokenBalanceParameters,
): Promise<bigint> {
  const balance = await ctx.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [account],
  });
  if (balance >= amount) return balance;
  const { format } = await tokenUnits(ctx, token);
  throw new InsufficientBalanceError(
    account,
    balance,
    amount,
    `${account} holds ${format(balance)} but ${purpose} needs ${format(amount)} ` +
      `(short by ${format(amount - balance)})`,
  );
}

/** A formatter of base-unit amounts as "12.5 aUSD", from the token's decimals() and symbol(). */
export async function tokenUnits(
  ctx: ArthaReadContext,
  token: Address = ctx.deployment.contracts.token,
): Promise<{ decimals: number; symbol: string; format: (amount: bigint) => string }> {
  const read = (functionName: "decimals" | "symbol") =>
    ctx.publicClient.readContract({ address: token, abi: erc20Abi, functionName }).catch(() => undefined);
  // Both are optional in ERC-20: without decimals() amounts are shown in base units.
  const [decimals, symbol] = await Promise.all([read("decimals"), read("symbol")]);
  const d = typeof decimals === "number" ? decimals : 0;
  const unit = typeof symbol === "string" && symbol ? symbol : d === 0 ? "base units" : "tokens";
  return { decimals: d, symbol: unit, format: (amount) => `${formatUnits(amount, d)} ${unit}` };
}
