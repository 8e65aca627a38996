import { type Address, type Hex, parseSignature } from "viem";
import type { ArthaWriteContext } from "../../client/context.ts";
import { getPermitDomain } from "./getPermitDomain.ts";

export type SignPermitParameters = {
  spender: Address;
  amount: bigint;
  /** Unix seconds (chain time) after which the permit is void. */
  deadline: bigint;
  /** Default: the deployment's token. */
  token?: Address;
};

export type SignPermitReturnType = { v: number; r: Hex; s: Hex; deadline: bigint; nonce: bigint };

/**
 * Signs an ERC-2612 permit letting `spender` take `amount` of the wallet's tokens (no transaction).
 * Throws when the token has no usable permit (see getPermitDomain): use ensureAllowance then.
 */
export async function signPermit(
  ctx: ArthaWriteContext,
  { spender, amount, deadline, token = ctx.deployment.contracts.token }: SignPermitParameters,
): Promise<SignPermitReturnType> {
  const { account } = ctx.walletClient;
  const domain = await getPermitDomain(ctx, { owner: account.address, token });
  if (!domain) {
    throw new Error(`token ${token} does not support ERC-2612 permits; approve with ensureAllowance instead`);
  }
  const nonce = await ctx.publicClient.readContract({
    address: token,
    abi: [
      {
        type: "function",
        name: "nonces",
        stateMutability: "view",
        inputs: [{ name: "owner", type: "address" }],
        outputs: [{ name: "", type: "uint256" }],
      },
    ] as const,
    functionName: "nonces",
    args: [account.address],
  });
  const signature = await ctx.walletClient.signTypedData({
    account,
    domain,
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner: account.address, spender, value: amount, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { v: v !== undefined ? Number(v) : yParity + 27, r, s, deadline, nonce };
}
