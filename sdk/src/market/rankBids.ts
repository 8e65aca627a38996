import type { Bid } from "./bid.ts";

export type RankBidsOptions = {
  /** Chain time (unix seconds): bids with `expiresAt <= now` are dropped before ranking. */
  now?: bigint;
};

/**
 * The market's deterministic winner rule (DESIGN §3), the same in every agent and requester: one job's
 * valid bids, best first. Lowest price wins, ties go to the lowest node address (lowercase hex order).
 * The winner claims first; if its claim does not land, the next one does, and so on.
 *
 * One node counts once: its lowest-priced live bid. Keeping the lowest (rather than the latest) makes the
 * outcome independent of the order in which bids arrived, which differs from peer to peer, and stops a
 * node from raising its offer after seeing the others; a node that bid too low simply does not claim.
 * Pass only bids that passed validation. Throws if the bids are for more than one job.
 */
export function rankBids<T extends Bid>(bids: readonly T[], options: RankBidsOptions = {}): T[] {
  const jobId = bids[0]?.jobId;
  const best = new Map<string, T>();
  for (const bid of bids) {
    if (bid.jobId !== jobId) {
      throw new Error(`rankBids ranks one job's bids; got bids for jobs ${jobId} and ${bid.jobId}`);
    }
    if (options.now !== undefined && bid.expiresAt <= options.now) continue;
    const key = bid.node.toLowerCase();
    const kept = best.get(key);
    if (!kept || compareSameNode(bid, kept) < 0) best.set(key, bid);
  }
  return [...best.values()].sort(compareBids);
}

/** Orders bids of different nodes: price, then node address. */
export function compareBids(a: Bid, b: Bid): number {
  if (a.price !== b.price) return a.price < b.price ? -1 : 1;
  return compareText(a.node.toLowerCase(), b.node.toLowerCase());
}

// Picks one of a node's own bids whatever the arrival order: the lowest price, then the shortest eta,
// then the longest-lived, then (identical offers signed twice) the lowest signature.
function compareSameNode(a: Bid, b: Bid): number {
  if (a.price !== b.price) return a.price < b.price ? -1 : 1;
  if (a.etaSeconds !== b.etaSeconds) return a.etaSeconds - b.etaSeconds;
  if (a.expiresAt !== b.expiresAt) return a.expiresAt > b.expiresAt ? -1 : 1;
  return compareText(signatureOf(a), signatureOf(b));
}

function signatureOf(bid: Bid): string {
  const signature = (bid as { signature?: unknown }).signature;
  return typeof signature === "string" ? signature.toLowerCase() : "";
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
