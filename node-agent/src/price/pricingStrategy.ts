// A pricing strategy turns a job this node could run into a price, or a decision not to bid.
// Amounts are in the payment token's base units (bigint), like every on-chain amount.
import type { JobSpec, JobSpecKind } from "@arthaain/sdk";

export type PricingInput = {
  jobId: bigint;
  kind: JobSpecKind;
  gpuCount: number;
  minVramGb: number;
  maxRuntimeS: number;
  /**
   * The job's price ceiling: its claim cap (maxClaimPrice in @arthaain/sdk), the escrowed maxPrice less the
   * verification budget. A price above it cannot be claimed.
   */
  maxPrice: bigint;
  /** This node's GPU model (as detected), "" on a host without GPUs. */
  gpuModel: string;
  spec?: JobSpec | undefined;
};

/**
 * A price to bid, or a reason not to. A decision not to bid is an ordinary answer (no rate for this GPU,
 * above the budget, the operator's script said so) and says why, for the logs and the skip metric; a
 * strategy that fails (a script that crashed or timed out) rejects with a PricingError instead.
 */
export type PricingQuote = { price: bigint } | { skip: string };

export type PricingStrategy = {
  name: string;
  price(input: PricingInput): Promise<PricingQuote>;
};

export type PricingErrorCode = "timeout" | "exit" | "bad-output" | "spawn";

/** A strategy that could not produce an answer. */
export class PricingError extends Error {
  override readonly name = "PricingError";
  readonly code: PricingErrorCode;
  // Plain fields, not parameter properties: Node's type stripping runs this file as is.
  constructor(code: PricingErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The common last step: a price above the job's ceiling (its claim cap) is not a bid. */
export function withinBudget(price: bigint, input: PricingInput, how: string): PricingQuote {
  if (price > input.maxPrice) {
    return { skip: `our price ${price} (${how}) is above job ${input.jobId}'s claim cap ${input.maxPrice}` };
  }
  return { price };
}
