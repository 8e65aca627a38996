import type { Abi, Address, ContractEventName, GetContractEventsReturnType } from "viem";
import type { ArthaReadContext } from "./context.ts";

/** Blocks one eth_getLogs call covers: small enough for public RPC limits, large enough to be quick. */
const CHUNK = 10_000n;
export const DEFAULT_MAX_SCAN_BLOCKS = 100_000;

export type ScanEventsParameters<abi extends Abi, name extends ContractEventName<abi>> = {
  address: Address;
  abi: abi;
  eventName: name;
  /** Indexed-argument filter, as viem's getContractEvents takes it. */
  args?: Record<string, unknown>;
  /** First block; default: the deployment's startBlock, or the latest `maxScanBlocks` blocks. */
  fromBlock?: bigint;
};

/**
 * Events of one kind from the chain, oldest first: the fallback for lists and lineage when no indexer is
 * configured. Bounded: it never covers more than the context's `maxScanBlocks` (default 100000) ending at
 * the latest block, so it costs at most a few RPC calls; older history needs the indexer. Decoded strictly:
 * a log that does not match the event is dropped, so every argument is present.
 */
export async function scanEvents<const abi extends Abi, name extends ContractEventName<abi>>(
  ctx: ArthaReadContext,
  p: ScanEventsParameters<abi, name>,
): Promise<GetContractEventsReturnType<abi, name, true>> {
  const latest = await ctx.publicClient.getBlockNumber();
  const span = BigInt(ctx.maxScanBlocks ?? DEFAULT_MAX_SCAN_BLOCKS);
  const floor = latest + 1n > span ? latest + 1n - span : 0n;
  let from = p.fromBlock ?? BigInt(ctx.deployment.startBlock);
  if (from < floor) from = floor;
  const out: unknown[] = [];
  for (let start = from; start <= latest; start += CHUNK) {
    const end = start + CHUNK - 1n < latest ? start + CHUNK - 1n : latest;
    const logs = await ctx.publicClient.getContractEvents({
      address: p.address,
      abi: p.abi as Abi,
      eventName: p.eventName as string,
      ...(p.args ? { args: p.args } : {}),
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    out.push(...logs);
  }
  return out as GetContractEventsReturnType<abi, name, true>;
}
