import { type Address, domainSeparator, type Hex, parseAbi, type TypedDataDomain } from "viem";
import type { ArthaReadContext } from "../../client/context.ts";

const permitAbi = parseAbi([
  "function nonces(address owner) view returns (uint256)",
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  "function name() view returns (string)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
]);

export type GetPermitDomainParameters = {
  /** Whose nonce to check; default: any (the zero address). */
  owner?: Address;
  /** Default: the deployment's token. */
  token?: Address;
};

/**
 * The EIP-712 domain of an ERC-2612 token, or undefined when the token has no usable permit. Usable means:
 * nonces() and DOMAIN_SEPARATOR() answer, and the domain (from ERC-5267 eip712Domain(), else name() with
 * version "1" or "2") hashes to DOMAIN_SEPARATOR(), so a signature made with it is one the token accepts.
 */
export async function getPermitDomain(
  ctx: ArthaReadContext,
  {
    owner = "0x0000000000000000000000000000000000000000",
    token = ctx.deployment.contracts.token,
  }: GetPermitDomainParameters = {},
): Promise<TypedDataDomain | undefined> {
  const read = <T>(functionName: "nonces" | "DOMAIN_SEPARATOR" | "name" | "eip712Domain") =>
    ctx.publicClient
      .readContract({
        address: token,
        abi: permitAbi,
        functionName,
        args: functionName === "nonces" ? [owner] : [],
      } as never)
      .then(
        (v) => v as T,
        () => undefined,
      );
  const [nonce, separator] = await Promise.all([read<bigint>("nonces"), read<Hex>("DOMAIN_SEPARATOR")]);
  if (nonce === undefined || separator === undefined) return undefined;

  const candidates: TypedDataDomain[] = [];
  const declared =
    await read<readonly [Hex, string, string, bigint, Address, Hex, readonly bigint[]]>("eip712Domain");
  if (declared) {
    const [fields, name, version, chainId, verifyingContract, salt] = declared;
    const bits = Number.parseInt(fields.slice(2), 16);
    // ERC-5267: each bit says whether the field is part of the domain.
    candidates.push({
      ...(bits & 1 ? { name } : {}),
      ...(bits & 2 ? { version } : {}),
      ...(bits & 4 ? { chainId: Number(chainId) } : {}),
      ...(bits & 8 ? { verifyingContract } : {}),
      ...(bits & 16 ? { salt } : {}),
    });
  } else {
    const name = await read<string>("name");
    const chainId = await ctx.publicClient.getChainId();
    if (name !== undefined) {
      for (const version of ["1", "2"]) candidates.push({ name, version, chainId, verifyingContract: token });
    }
  }
  return candidates.find((domain) => domainSeparator({ domain }).toLowerCase() === separator.toLowerCase());
}
