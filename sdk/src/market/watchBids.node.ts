// The live auction from the requester's side (DESIGN §3): an ephemeral gossip node on the deployment's bid
// topic, judging bids exactly as the agents do, yielding the valid ones for one job.
import { type Message, type PeerId, TopicValidatorResult } from "@libp2p/interface";
import { jobManagerAbi } from "../abi/generated.ts";
import { getJobRecord, type JobRecord } from "../actions/getJobRecord.ts";
import type { ArthaReadContext } from "../client/context.ts";
import { sleep } from "../client/sleep.ts";
import { JobState } from "../constants.ts";
import { bidTopic, type SignedBid } from "./bid.ts";
import { BidFormatError, decodeBid } from "./decodeBid.ts";
import { cachedBidNodeLookup, registeredPeerAddresses } from "./gossip/chainViews.ts";
import { type MarketLogger, silentMarketLogger } from "./gossip/logger.ts";
import { type GossipNode, type StartGossipOptions, startGossip } from "./gossip/startGossip.ts";
import { validateBid } from "./gossip/validateBid.ts";
import { verifyBid } from "./verifyBid.ts";

/** A bid that passed the market's rules, as a watcher received it. */
export type VerifiedBid = SignedBid & {
  /** Peer id of the peer that relayed it to us (not necessarily the bidder's own node). */
  from: string;
  /** When it arrived here (local clock). */
  receivedAt: Date;
};

export type WatchBidsParameters = {
  jobId: bigint;
  /**
   * Peers to join through, each a multiaddr ending in `/p2p/<peer id>`, besides the multiaddrs the active
   * nodes registered in NodeRegistry (always read). Malformed or unreachable entries are skipped.
   */
  bootstrap?: string[];
  /** Ends the watch: the generator returns and the gossip node stops. */
  signal?: AbortSignal;
  /** Multiaddrs the ephemeral node listens on. Default `/ip4/127.0.0.1/tcp/0`. */
  listen?: string[];
  /**
   * A gossip node already started (joinBidGossip), used instead of an ephemeral one and left running: the
   * caller owns it. Starting it before submitting a job means the watch is subscribed at once, in time for
   * the first bids; `bootstrap`, `listen` and `gossip` are then unused.
   */
  node?: GossipNode;
  /** How often chain time and the job are read, ms. Default: the public client's pollingInterval. */
  pollingIntervalMs?: number;
  /** Gossip node overrides (tests shorten gossipsub's heartbeat, for instance). */
  gossip?: Pick<StartGossipOptions, "gossipsub" | "minPeers" | "redialIntervalMs" | "mdns">;
  log?: MarketLogger;
  /** Told of every bid on the topic judged invalid (also those for other jobs), with the reason. */
  onReject?(info: { reason: string; from: string; bid?: SignedBid }): void;
};

/**
 * Watches job `jobId`'s auction live: starts an ephemeral libp2p node (fresh identity, nothing written),
 * joins through `bootstrap` and the registered nodes' multiaddrs, subscribes to the deployment's bid topic
 * and yields each valid bid for the job once, in arrival order. Bids are judged by validateBid, as the
 * agents judge them (signature, job open and within its bid window, price ≤ the job's claim cap, i.e. its
 * maxPrice less the verification budget (maxClaimPrice), node registered, active and eligible), against the
 * chain read every `pollingIntervalMs`; a node's re-bid counts only when lower than its earlier one.
 * Invalid bids are Rejected, so gossipsub lowers their sender's score; well-signed bids for other jobs are
 * ignored (not relayed, no penalty).
 *
 * Returns (and stops the node, unless it is the caller's `node`) when `signal` aborts, when the consumer stops iterating, when the job leaves
 * the auction (cancelled, expired, …) and when chain time reaches the end of its claim window; at once,
 * without starting a node, for a job whose claim window has already closed. A job reopened before that
 * keeps being watched (bids of the new attempt). Throws if the job does not exist or the chain cannot be
 * read at the start; later RPC errors are retried at the next poll.
 */
export async function* watchBids(
  ctx: ArthaReadContext,
  p: WatchBidsParameters,
): AsyncGenerator<VerifiedBid, void> {
  const { publicClient, deployment } = ctx;
  const jobManager = deployment.contracts.jobManager;
  const chainId = deployment.chainId;
  const interval = p.pollingIntervalMs ?? publicClient.pollingInterval ?? 1000;
  const log = p.log ?? silentMarketLogger;
  const [firstRecord, claimWindow, verificationBudgetBps, firstHead] = await Promise.all([
    getJobRecord(publicClient, { jobManager, jobId: p.jobId }),
    publicClient.readContract({ address: jobManager, abi: jobManagerAbi, functionName: "claimWindow" }),
    publicClient.readContract({
      address: jobManager,
      abi: jobManagerAbi,
      functionName: "verificationBudgetBps",
    }),
    publicClient.getBlock(),
  ]);
  let record: JobRecord = firstRecord;
  let now = firstHead.timestamp;
  const over = () =>
    (record.state !== JobState.Open && record.state !== JobState.Claimed) ||
    now >= BigInt(record.bidEnd) + BigInt(claimWindow);
  if (over() || p.signal?.aborted) return;

  const owned = !p.node;
  const gossip: GossipNode = p.node ?? (await joinBidGossip(ctx, p));
  const topic = bidTopic({ chainId, jobManager });
  const pubsub = gossip.pubsub;

  const lookupNode = cachedBidNodeLookup(publicClient, deployment.contracts.nodeRegistry);

  // Each node's lowest accepted bid of the current attempt (lowercase address → bid).
  let lowest = new Map<string, SignedBid>();
  const seen = new Set<string>();
  const queue: VerifiedBid[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let stopped = false;

  const reject = (reason: string, from: string, bid?: SignedBid) => {
    log.debug({ peer: from, reason }, "rejected a bid");
    try {
      p.onReject?.({ reason, from, ...(bid ? { bid } : {}) });
    } catch {
      // A caller's callback must not change the verdict.
    }
    return TopicValidatorResult.Reject;
  };

  const validator = async (source: PeerId, message: Message): Promise<TopicValidatorResult> => {
    if (stopped) return TopicValidatorResult.Ignore;
    const from = source.toString();
    let bid: SignedBid;
    try {
      bid = decodeBid(message.data);
    } catch (error) {
      if (!(error instanceof BidFormatError)) throw error;
      return reject(`malformed: ${error.message}`, from);
    }
    if (bid.jobId !== p.jobId) {
      // Not our job: only the signature is checked (no chain reads for other jobs).
      if (!(await verifyBid({ bid, chainId, jobManager }))) {
        return reject(`bad signature: not signed by ${bid.node} for this deployment`, from, bid);
      }
      return TopicValidatorResult.Ignore;
    }
    const key = bid.node.toLowerCase();
    let verdict: Awaited<ReturnType<typeof validateBid>>;
    try {
      verdict = await validateBid({
        bid,
        now,
        chainId,
        jobManager,
        verificationBudgetBps,
        lookupJob: async (id) => (id === p.jobId ? record : undefined),
        lookupNode,
        ...(lowest.has(key) ? { lowestSeenPrice: lowest.get(key)!.price } : {}),
      });
    } catch (error) {
      // An RPC outage is not the sending peer's fault.
      log.debug({ peer: from, error: (error as Error).message }, "could not validate a bid; ignoring it");
      return TopicValidatorResult.Ignore;
    }
    if (verdict.verdict === "reject") return reject(verdict.reason, from, bid);
    if (verdict.verdict === "ignore" || stopped) return TopicValidatorResult.Ignore;
    // Checked again after the awaits above: the same bid may have been judged twice meanwhile.
    const prior = lowest.get(key);
    if ((prior && prior.price <= bid.price) || seen.has(bid.signature)) return TopicValidatorResult.Ignore;
    lowest.set(key, bid);
    seen.add(bid.signature);
    queue.push({ ...bid, from, receivedAt: new Date() });
    notify();
    return TopicValidatorResult.Accept;
  };

  if (pubsub.topicValidators.has(topic)) {
    if (owned) await gossip.stop();
    throw new Error(`watchBids: topic ${topic} already has a validator on this node`);
  }
  gossip.scoreTopic(topic);
  pubsub.topicValidators.set(topic, validator);
  pubsub.subscribe(topic);
  // Stops the poller's wait at once, whoever ends the watch.
  const halt = new AbortController();
  const onAbort = () => {
    halt.abort();
    notify();
  };
  p.signal?.addEventListener("abort", onAbort);

  // Chain time and the job, read every interval; the auction ends with the claim window.
  let ended = false;
  const poller = (async () => {
    let lastBlock = firstHead.number;
    while (!halt.signal.aborted) {
      await sleep(interval, halt.signal);
      if (halt.signal.aborted) break;
      try {
        const head = await publicClient.getBlock();
        now = head.timestamp;
        if (head.number !== lastBlock) {
          lastBlock = head.number;
          const next = await getJobRecord(publicClient, { jobManager, jobId: p.jobId });
          // Reopened: a new auction, in which every node may bid afresh.
          if (next.bidEnd !== record.bidEnd) lowest = new Map();
          record = next;
        }
        if (over()) {
          ended = true;
          notify();
          break;
        }
      } catch (error) {
        log.debug({ error: (error as Error).message }, "could not read the chain; retrying");
      }
    }
  })();

  try {
    while (true) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (ended || p.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stopped = true;
    halt.abort();
    notify();
    p.signal?.removeEventListener("abort", onAbort);
    if (pubsub.topicValidators.get(topic) === validator) pubsub.topicValidators.delete(topic);
    if (owned) await gossip.stop();
    else pubsub.unsubscribe(topic);
    await poller;
  }
}

export type JoinBidGossipParameters = Pick<WatchBidsParameters, "bootstrap" | "listen" | "gossip" | "log">;

/**
 * Starts a gossip node with a fresh identity that joins the deployment's market through `bootstrap` and
 * the multiaddrs the active nodes registered in NodeRegistry (read now; unreadable is logged, not fatal).
 * For watchBids' `node`; the caller stops it.
 */
export async function joinBidGossip(
  ctx: ArthaReadContext,
  p: JoinBidGossipParameters = {},
): Promise<GossipNode> {
  const log = p.log ?? silentMarketLogger;
  const bootstrap = [
    ...(p.bootstrap ?? []),
    ...(await registeredPeerAddresses(ctx.publicClient, ctx.deployment.contracts.nodeRegistry).catch(
      (error: Error) => {
        log.warn({ error: error.message }, "could not read the registered nodes' multiaddrs");
        return [];
      },
    )),
  ];
  return startGossip({ ...p.gossip, ...(p.listen ? { listen: p.listen } : {}), bootstrap, log });
}
