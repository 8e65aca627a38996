// Spare verifiers (docs/verification.md, "Spares"). A round draws up to 2k places so that it survives
// offline or ineligible nodes, but only k votes count: a drawn node beyond the votes the round still needs
// stands by instead of re-running at once, and re-runs only if the first ones have not voted by the time
// they should have. An audit then costs about k re-runs, not one per drawn place.
import type { VerifierDraw } from "@arthaain/sdk";
import { type Address, isAddressEqual } from "viem";

/** Seconds a spare gives the first verifiers beyond twice the worker's run, for their ballots to arrive. */
export const SPARE_SLACK_S = 30n;

export type SpareInput = {
  draw: Pick<VerifierDraw, "k" | "commits" | "verifiers" | "commitEnd">;
  me: Address;
  /** Drawn nodes that voted in an earlier round: they keep their votes and fill no new place. */
  voted: readonly Address[];
  /** Chain time this node first saw the round drawn, seconds. */
  since: bigint;
  /** The worker's run, seconds: a verifier's re-run should take about as long. */
  runtime: bigint;
  /** Seconds kept before the commit phase ends for a commit to be mined. */
  margin: bigint;
};

/**
 * Null when this node fills one of the places the round still needs (k minus its live votes, taken by the
 * drawn nodes that have not voted, in place order); otherwise the chain time until which it stands by:
 * twice the worker's run plus `SPARE_SLACK_S` after it saw the draw, but no later than leaves it twice the
 * worker's run before the commit phase ends.
 */
export function spareUntil(o: SpareInput): bigint | null {
  const needed = o.draw.k - o.draw.commits;
  const open = o.draw.verifiers.filter((v) => !o.voted.some((x) => isAddressEqual(x, v.address)));
  const rank = open.findIndex((v) => isAddressEqual(v.address, o.me));
  if (rank < needed) return null;
  const run = o.runtime > 0n ? o.runtime : 0n;
  const patient = o.since + 2n * run + SPARE_SLACK_S;
  const latest = o.draw.commitEnd - o.margin - 2n * run;
  return patient < latest ? patient : latest;
}
