import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { DEFAULT_MAX_SCAN_BLOCKS, scanEvents } from "../../client/scanEvents.ts";
import { type JobSpecKind, jobSpecKinds } from "../../spec/jobSpec.ts";

export type EstimatePriceParameters = {
  /** Only jobs of this kind. Default: every kind. */
  kind?: JobSpecKind;
  /** Only jobs asking for exactly this many GPUs. Default: any. */
  gpuCount?: number;
  /** How many of the latest blocks to look at. Default: the context's maxScanBlocks (100000). */
  lookbackBlocks?: number;
};

/**
 * What comparable jobs recently paid, in token base units. `count` 0 means no comparable job was claimed
 * in the window: then there is no estimate, and every statistic is undefined (never a made-up number).
 */
export type PriceEstimate = {
  /** Comparable jobs with a winning price in the window. */
  count: number;
  median: bigint | undefined;
  p25: bigint | undefined;
  p75: bigint | undefined;
  min: bigint | undefined;
  max: bigint | undefined;
  /** The blocks looked at, inclusive. */
  fromBlock: bigint;
  toBlock: bigint;
};

/**
 * Estimates a job's price from the market's recent outcomes: the winning bids (prices at which nodes
 * claimed, DESIGN §3) of comparable jobs claimed or finalized in the latest `lookbackBlocks` blocks. Each
 * job counts once, at the price of its latest JobClaimed or JobFinalized event (a lower claim within the
 * claim window replaces a higher one; a reopened job counts at its new price). Percentiles interpolate
 * linearly between the nearest prices, rounding down.
 */
export async function estimatePrice(
  ctx: ArthaReadContext,
  p: EstimatePriceParameters = {},
): Promise<PriceEstimate> {
  const lookback = p.lookbackBlocks ?? ctx.maxScanBlocks ?? DEFAULT_MAX_SCAN_BLOCKS;
  if (!Number.isInteger(lookback) || lookback < 1) {
    throw new Error(`lookbackBlocks must be an integer >= 1, got ${lookback}`);
  }
  if (p.kind !== undefined && !jobSpecKinds.includes(p.kind)) {
    throw new Error(`kind ${JSON.stringify(p.kind)}: expected one of ${jobSpecKinds.join(", ")}`);
  }
  if (p.gpuCount !== undefined && (!Number.isInteger(p.gpuCount) || p.gpuCount < 0)) {
    throw new Error(`gpuCount must be an integer >= 0, got ${p.gpuCount}`);
  }
  const toBlock = await ctx.publicClient.getBlockNumber({ cacheTime: 0 });
  const span = BigInt(lookback);
  const fromBlock = toBlock + 1n > span ? toBlock + 1n - span : 0n;
  const scan = { ...ctx, maxScanBlocks: lookback };
  const address = ctx.deployment.contracts.jobManager;
  const [claimed, finalized] = await Promise.all([
    scanEvents(scan, { address, abi: jobManagerAbi, eventName: "JobClaimed", fromBlock }),
    scanEvents(scan, { address, abi: jobManagerAbi, eventName: "JobFinalized", fromBlock }),
  ]);
  const kind = p.kind === undefined ? undefined : jobSpecKinds.indexOf(p.kind);
  // Latest event per job (block, then log index): its record carries the winning price.
  const latest = new Map<bigint, { block: bigint; index: number; price: bigint }>();
  for (const e of [...claimed, ...finalized]) {
    const job = e.args.job;
    if (kind !== undefined && job.kind !== kind) continue;
    if (p.gpuCount !== undefined && job.gpuCount !== p.gpuCount) continue;
    if (job.price === 0n) continue;
    const prior = latest.get(e.args.jobId);
    const later =
      !prior || e.blockNumber > prior.block || (e.blockNumber === prior.block && e.logIndex > prior.index);
    if (later) latest.set(e.args.jobId, { block: e.blockNumber, index: e.logIndex, price: job.price });
  }
  const prices = [...latest.values()].map((x) => x.price).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (prices.length === 0) {
    return {
      count: 0,
      median: undefined,
      p25: undefined,
      p75: undefined,
      min: undefined,
      max: undefined,
      fromBlock,
      toBlock,
    };
  }
  return {
    count: prices.length,
    median: quartile(prices, 2),
    p25: quartile(prices, 1),
    p75: quartile(prices, 3),
    min: prices[0],
    max: prices[prices.length - 1],
    fromBlock,
    toBlock,
  };
}

/** The `q`th quartile of sorted prices, interpolated linearly (the usual "type 7" percentile), rounded down. */
function quartile(sorted: bigint[], q: 1 | 2 | 3): bigint {
  const position = (sorted.length - 1) * q; // in quarters
  const lo = Math.floor(position / 4);
  const rest = BigInt(position % 4);
  const low = sorted[lo]!;
  if (rest === 0n) return low;
  return low + ((sorted[lo + 1]! - low) * rest) / 4n;
}
