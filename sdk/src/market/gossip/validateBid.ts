import { type Address, isAddressEqual } from "viem";
import { JobState, jobStates } from "../../constants.ts";
import type { BidDeployment, SignedBid } from "../bid.ts";
import { maxClaimPrice } from "../maxClaimPrice.ts";
import { recoverBidSigner } from "../verifyBid.ts";

/** What the bid rules need of a job (AIJobManager's record carries all of it). */
export type BidJobView = {
  state: number;
  maxPrice: bigint;
  bidEnd: number;
  gpuCount: number;
  minVramGb: number;
  minCertLevel: number;
};

/** What the bid rules need of a node (NodeRegistry's getNode and isActive). */
export type BidNodeView = {
  registered: boolean;
  active: boolean;
  gpuCount: number;
  vramGbPerGpu: number;
  certLevel: number;
  certExpiry: number;
};

/**
 * A validator's answer, mapped onto gossipsub's: accept (record and forward), reject (drop, and lower the
 * score of the peer that sent it: only for bids no honest relay would forward), ignore (drop, no penalty).
 */
export type BidVerdict =
  | { verdict: "accept" }
  | { verdict: "reject"; reason: string }
  | { verdict: "ignore"; reason: string };

export type ValidateBidParameters = BidDeployment & {
  bid: SignedBid;
  /** Chain time: the latest block's timestamp, unix seconds. */
  now: bigint;
  /** The job as the chain has it now (read the chain, not only a watcher's confirmed view); undefined if none. */
  lookupJob(jobId: bigint): Promise<BidJobView | undefined>;
  /** The node as NodeRegistry has it; undefined if unknown. */
  lookupNode(node: Address): Promise<BidNodeView | undefined>;
  /**
   * The job manager's `verificationBudgetBps` (immutable: read it once): a bid above the job's claim cap,
   * `maxClaimPrice(maxPrice, verificationBudgetBps)`, could never be claimed.
   */
  verificationBudgetBps: bigint | number;
  /** Lowest price this node already bid for this job in bids we accepted, if any. */
  lowestSeenPrice?: bigint;
  /**
   * Seconds around the bid window's end and a bid's expiry within which a timing failure is ignored rather
   * than rejected: peers read chain time from different blocks, and a bid valid when an honest relay
   * forwarded it may be a second late here. Default 30.
   */
  clockToleranceSeconds?: number;
};

const accept: BidVerdict = { verdict: "accept" };
const reject = (reason: string): BidVerdict => ({ verdict: "reject", reason });
const ignore = (reason: string): BidVerdict => ({ verdict: "ignore", reason });

/**
 * The market's validity rules (DESIGN §3), the gossipsub validator's core. Pure apart from the injected
 * lookups, so every rule is testable without a chain. Cheap checks first; the signature before anything
 * else, so a forged bid is always rejected (penalised), never merely ignored.
 *
 * Unknown job → reject: bidders bid only on jobs their watcher saw `confirmations` blocks deep, and
 * `lookupJob` reads the chain head, so a job unknown there was never seen by an honest bidder. (A
 * validator whose RPC lags by more than those blocks would wrongly penalise; that is a broken RPC.)
 *
 * The price bound mirrors AIJobManager.claim: at most the job's claim cap (maxClaimPrice), not its maxPrice.
 * Node eligibility mirrors NodeRegistry.lockBond, so a bid accepted here is one whose claim would not
 * revert on eligibility (free stake for the bond is not checked: it changes with every claim).
 */
export async function validateBid(p: ValidateBidParameters): Promise<BidVerdict> {
  const { bid, now } = p;
  const tolerance = BigInt(p.clockToleranceSeconds ?? 30);
  const job = `job ${bid.jobId}`;

  let signer: Address;
  try {
    signer = await recoverBidSigner({ bid, chainId: p.chainId, jobManager: p.jobManager });
  } catch (error) {
    return reject(`bad signature: cannot recover a signer (${(error as Error).message.split("\n")[0]})`);
  }
  if (!isAddressEqual(signer, bid.node)) {
    return reject(`bad signature: signed by ${signer}, not by the bidding node ${bid.node}`);
  }

  if (p.lowestSeenPrice !== undefined && bid.price >= p.lowestSeenPrice) {
    return ignore(
      `duplicate: ${bid.node} already bid ${p.lowestSeenPrice} for ${job}; only a lower re-bid counts`,
    );
  }
  if (bid.price === 0n) return reject(`price 0 for ${job}: a bid must ask for a positive price`);
  if (bid.expiresAt <= now) {
    const why = `expired: expiresAt ${bid.expiresAt} <= chain time ${now}`;
    return now - bid.expiresAt < tolerance ? ignore(`${why} (within clock tolerance)`) : reject(why);
  }

  const jobView = await p.lookupJob(bid.jobId);
  if (!jobView) return reject(`unknown job: ${job} does not exist on the job manager ${p.jobManager}`);
  const bidEnd = BigInt(jobView.bidEnd);
  if (now >= bidEnd) {
    const why = `late: ${job}'s bid window ended at ${bidEnd}, chain time is ${now}`;
    return now - bidEnd < tolerance ? ignore(`${why} (within clock tolerance)`) : reject(why);
  }
  if (jobView.state !== JobState.Open) {
    return reject(`${job} is ${jobStates[jobView.state] ?? `in state ${jobView.state}`}, not Open`);
  }
  const cap = maxClaimPrice(jobView.maxPrice, p.verificationBudgetBps);
  if (bid.price > cap) {
    return reject(
      `price ${bid.price} is above ${job}'s claim cap ${cap} (max price ${jobView.maxPrice} less its ${p.verificationBudgetBps} bps verification budget)`,
    );
  }

  const node = await p.lookupNode(bid.node);
  if (!node?.registered) return reject(`node ${bid.node} is not registered`);
  if (!node.active) return reject(`node ${bid.node} is not active (stake below the minimum or unbonding)`);
  if (node.gpuCount < jobView.gpuCount) {
    return reject(`node ${bid.node} has ${node.gpuCount} GPUs; ${job} needs ${jobView.gpuCount}`);
  }
  // As in NodeRegistry: VRAM counts only when the job needs GPUs at all.
  if (jobView.gpuCount !== 0 && node.vramGbPerGpu < jobView.minVramGb) {
    return reject(
      `node ${bid.node} has ${node.vramGbPerGpu} GB per GPU; ${job} needs ${jobView.minVramGb} GB`,
    );
  }
  if (jobView.minCertLevel !== 0) {
    if (node.certLevel < jobView.minCertLevel) {
      return reject(
        `node ${bid.node} is certified at level ${node.certLevel}; ${job} needs ${jobView.minCertLevel}`,
      );
    }
    if (BigInt(node.certExpiry) <= now) {
      return reject(`node ${bid.node}'s certification expired at ${node.certExpiry} (chain time ${now})`);
    }
  }
  return accept;
}
