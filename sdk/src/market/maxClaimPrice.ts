// The claim bound, off-chain: the one formula every party (bid validators, agents pricing a job, the CLI)
// applies, so no one bids or accepts a price the job manager would refuse with PriceAboveMax.
import { BPS } from "../constants.ts";

/**
 * The highest price a node may claim a job at: its `maxPrice` less the verification budget
 * (`maxPrice * verificationBudgetBps / 10000`, rounded down), exactly as AIJobManager.maxClaimPrice
 * computes it. `verificationBudgetBps` is the job manager's immutable of that name, in [0, 10000).
 */
export function maxClaimPrice(maxPrice: bigint, verificationBudgetBps: bigint | number): bigint {
  const bps = BigInt(verificationBudgetBps);
  if (bps < 0n || bps >= BPS) {
    throw new RangeError(`verificationBudgetBps must be in [0, ${BPS}), got ${verificationBudgetBps}`);
  }
  if (maxPrice < 0n) throw new RangeError(`maxPrice must be >= 0, got ${maxPrice}`);
  return maxPrice - (maxPrice * bps) / BPS;
}
