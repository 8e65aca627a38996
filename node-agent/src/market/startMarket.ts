import {
  type BidDeployment,
  BidFormatError,
  bidTopic,
  compareBids,
  decodeBid,
  encodeBid,
  rankBids,
  type SignedBid,
  verifyBid,
} from "@arthaain/sdk";
import { type BidVerdict, type GossipNode, type MarketLogger, silentMarketLogger } from "@arthaain/sdk/node";
import { type Message, type PeerId, TopicValidatorResult } from "@libp2p/interface";

export type StartMarketOptions = BidDeployment & {
  gossip: GossipNode;
  /**
   * Judges a decoded bid: usually a closure over validateBid with the agent's chain lookups and clock.
   * `lowestSeenPrice` is the node's lowest accepted price for the job so far (pass it on to validateBid).
   * Should answer fast (cache chain reads): gossipsub waits for it before relaying. A throw counts as
   * "ignore": an RPC outage is not the sending peer's fault.
   */
  validateBid(bid: SignedBid, context: { lowestSeenPrice: bigint | undefined }): Promise<BidVerdict>;
  /** Told of every bid recorded: accepted from the network (`from` = the relaying peer) or our own. */
  onBid?(bid: SignedBid, from: string): void;
  log?: MarketLogger;
  /** Bids kept per job: beyond it, a bid must beat the worst kept one, which it replaces. Default 64. */
  maxBidsPerJob?: number;
  /** Jobs with bids kept; beyond it the job first seen is dropped (forget() normally comes first). Default 1024. */
  maxJobs?: number;
};

export type PublishBidResult = { published: true; recipients: number } | { published: false; reason: string };

/** The agent's view of one deployment's bid market. */
export type Market = {
  /** The gossipsub topic (bidTopic of the deployment). */
  topic: string;
  /**
   * Validates our own bid like any received one, records it (gossipsub does not deliver our own messages
   * back) and publishes it. Throws BidRejectedError if peers would reject it (publishing it would cost
   * us peer score); returns `published: false` when it would be ignored (a re-bid not lower than before).
   */
  publishBid(bid: SignedBid): Promise<PublishBidResult>;
  /** The job's recorded bids, one per node, ranked by rankBids (winner first). */
  bidsFor(jobId: bigint): SignedBid[];
  /** Drops the job's bids (call once the job is decided); later bids for it are validated afresh. */
  forget(jobId: bigint): void;
  /** Leaves the topic and drops every bid; the gossip node keeps running (its owner stops it). */
  stop(): Promise<void>;
};

/** Our own bid failed validation: publishing it would make peers lower our score. */
export class BidRejectedError extends Error {
  override readonly name = "BidRejectedError";
  readonly reason: string;
  constructor(jobId: bigint, reason: string) {
    super(`own bid for job ${jobId} would be rejected by peers: ${reason}`);
    this.reason = reason;
  }
}

/**
 * Joins the deployment's bid topic (DESIGN §3). A gossipsub topic validator decodes each message and asks
 * `validateBid`: accepted bids are recorded and relayed, rejected ones are dropped and cost the relaying
 * peer score (the topic is scored with bidTopicScoreParams), ignored ones are dropped at no cost.
 * Memory is bounded: one bid per node per job, at most `maxBidsPerJob` per job and `maxJobs` jobs.
 */
export async function startMarket(options: StartMarketOptions): Promise<Market> {
  const { gossip } = options;
  const log = options.log ?? silentMarketLogger;
  const maxBidsPerJob = options.maxBidsPerJob ?? 64;
  const maxJobs = options.maxJobs ?? 1024;
  const topic = bidTopic(options);
  const pubsub = gossip.pubsub;
  if (pubsub.topicValidators.has(topic)) {
    throw new Error(
      `startMarket: topic ${topic} already has a validator (is a market already running on it?)`,
    );
  }
  // jobId → (lowercase node address → that node's lowest accepted bid).
  const jobs = new Map<bigint, Map<string, SignedBid>>();
  let stopped = false;

  const lowestSeenPrice = (bid: SignedBid) => jobs.get(bid.jobId)?.get(bid.node.toLowerCase())?.price;

  /** Records an accepted bid; a reason string when it adds nothing (checked again here: validation awaits). */
  const record = (bid: SignedBid): string | undefined => {
    let bids = jobs.get(bid.jobId);
    const key = bid.node.toLowerCase();
    const prior = bids?.get(key);
    if (prior && prior.price <= bid.price) {
      return `duplicate: ${bid.node} already bid ${prior.price} for job ${bid.jobId}`;
    }
    if (bids && !prior && bids.size >= maxBidsPerJob) {
      const worst = [...bids.values()].reduce((a, b) => (compareBids(a, b) >= 0 ? a : b));
      if (compareBids(bid, worst) >= 0) return `job ${bid.jobId} already has ${maxBidsPerJob} better bids`;
      bids.delete(worst.node.toLowerCase());
    }
    if (!bids) {
      if (jobs.size >= maxJobs) {
        const oldest = jobs.keys().next().value!;
        jobs.delete(oldest);
        log.debug({ jobId: oldest.toString(), maxJobs }, "dropped the bids of the oldest job: too many jobs");
      }
      bids = new Map();
      jobs.set(bid.jobId, bids);
    }
    bids.set(key, bid);
    return undefined;
  };

  const notify = (bid: SignedBid, from: string) => {
    try {
      options.onBid?.(bid, from);
    } catch (error) {
      log.warn({ err: (error as Error).message }, "onBid callback threw");
    }
  };

  const judge = async (bid: SignedBid): Promise<BidVerdict> => {
    try {
      return await options.validateBid(bid, { lowestSeenPrice: lowestSeenPrice(bid) });
    } catch (error) {
      const reason = `validator failed: ${(error as Error).message}`;
      log.warn(
        { jobId: bid.jobId.toString(), node: bid.node, reason },
        "could not validate a bid; ignoring it",
      );
      return { verdict: "ignore", reason };
    }
  };

  const validator = async (from: PeerId, message: Message): Promise<TopicValidatorResult> => {
    if (stopped) return TopicValidatorResult.Ignore;
    const peer = from.toString();
    let bid: SignedBid;
    try {
      bid = decodeBid(message.data);
    } catch (error) {
      if (!(error instanceof BidFormatError)) throw error;
      log.warn({ peer, field: error.field, reason: error.message }, "rejected a malformed bid");
      return TopicValidatorResult.Reject;
    }
    const fields = { peer, jobId: bid.jobId.toString(), node: bid.node, price: bid.price.toString() };
    const verdict = await judge(bid);
    if (verdict.verdict === "reject") {
      log.warn({ ...fields, reason: verdict.reason }, "rejected a bid");
      return TopicValidatorResult.Reject;
    }
    if (verdict.verdict === "ignore") {
      log.debug({ ...fields, reason: verdict.reason }, "ignored a bid");
      return TopicValidatorResult.Ignore;
    }
    if (stopped) return TopicValidatorResult.Ignore;
    const unrecorded = record(bid);
    if (unrecorded) {
      log.debug({ ...fields, reason: unrecorded }, "ignored a bid");
      return TopicValidatorResult.Ignore;
    }
    log.debug(fields, "accepted a bid");
    notify(bid, peer);
    return TopicValidatorResult.Accept;
  };

  gossip.scoreTopic(topic);
  pubsub.topicValidators.set(topic, validator);
  pubsub.subscribe(topic);
  log.info({ topic }, "joined the bid market");

  return {
    topic,
    async publishBid(bid) {
      if (stopped) throw new Error("publishBid: the market is stopped");
      // Checked apart from validateBid, which a caller might stub: a forged own bid must never go out.
      if (!(await verifyBid({ bid, chainId: options.chainId, jobManager: options.jobManager }))) {
        throw new BidRejectedError(bid.jobId, `bad signature: not signed by ${bid.node} for this deployment`);
      }
      const verdict = await options.validateBid(bid, { lowestSeenPrice: lowestSeenPrice(bid) });
      if (verdict.verdict === "reject") throw new BidRejectedError(bid.jobId, verdict.reason);
      if (verdict.verdict === "ignore") return { published: false, reason: verdict.reason };
      const unrecorded = record(bid);
      if (unrecorded) return { published: false, reason: unrecorded };
      notify(bid, gossip.peerId);
      const { recipients } = await pubsub.publish(topic, encodeBid(bid));
      log.info(
        { jobId: bid.jobId.toString(), price: bid.price.toString(), recipients: recipients.length },
        "published a bid",
      );
      return { published: true, recipients: recipients.length };
    },
    bidsFor(jobId) {
      return rankBids([...(jobs.get(jobId)?.values() ?? [])]);
    },
    forget(jobId) {
      jobs.delete(jobId);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // Another market may have replaced nothing here (the constructor refuses a second validator).
      if (pubsub.topicValidators.get(topic) === validator) pubsub.topicValidators.delete(topic);
      if (pubsub.isStarted()) pubsub.unsubscribe(topic);
      jobs.clear();
      log.info({ topic }, "left the bid market");
    },
  };
}
