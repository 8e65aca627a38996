import {
  type BallotDeployment,
  type BallotMessage,
  ballotTopic,
  decodeVerifierMessage,
  encodeVerifierMessage,
  type RevealMessage,
  recoverBallotSigner,
  type VerifierDraw,
  type VerifierMessage,
  VerifierMessageError,
  verificationCommitment,
} from "@arthaain/sdk";
import { type GossipNode, type MarketLogger, silentMarketLogger } from "@arthaain/sdk/node";
import { type Message, type PeerId, TopicValidatorResult } from "@libp2p/interface";
import { isAddressEqual } from "viem";

export type StartBallotsOptions = BallotDeployment & {
  gossip: GossipNode;
  /**
   * The current verifier draw of a job's open dispute, or undefined when it has none. Should answer fast
   * (cache it): gossipsub waits for the validator before relaying. A throw counts as "ignore".
   */
  lookupDraw(jobId: bigint): Promise<VerifierDraw | undefined>;
  log?: MarketLogger;
  /** How often our own messages go out again until the job is forgotten (gossip may drop them), ms. Default 5000. */
  republishMs?: number;
  /** Jobs with votes kept; beyond it the job first seen is dropped. Default 256. */
  maxJobs?: number;
};

/** Our own ballot or reveal, before it is stamped with its send time. */
export type OwnVerifierMessage = Omit<BallotMessage, "sentAt"> | Omit<RevealMessage, "sentAt">;

/** One verifier's ballot in a round, with its reveal once it came. */
export type HeldVote = { ballot: BallotMessage; reveal?: RevealMessage };

/** The agent's view of the verifiers' gossip: every valid ballot and reveal of the disputes it follows. */
export type BallotBox = {
  topic: string;
  /** Records our own ballot or reveal and publishes it, then again every `republishMs` until forget(jobId). */
  share(message: OwnVerifierMessage): Promise<void>;
  /** The round's valid ballots, one per verifier (an equivocating verifier's are dropped), with reveals. */
  votes(jobId: bigint, round: number): HeldVote[];
  /** Drops the job's votes and stops republishing ours (call once our part in its dispute is over). */
  forget(jobId: bigint): void;
  /** Leaves the topic; the gossip node keeps running (its owner stops it). */
  stop(): Promise<void>;
};

type Round = { votes: Map<string, HeldVote>; equivocated: Set<string> };

/**
 * Joins the deployment's ballot topic (docs/verification.md, "Signed votes"). A ballot is accepted when its
 * signature recovers to its verifier and that verifier is drawn at its index in the dispute's current round;
 * a reveal when it opens a ballot held. A second, different ballot of the same verifier and round is
 * equivocation: rejected, and that verifier's ballot is no longer used. Rejections cost the relaying peer
 * score (the bid topic's parameters); messages about other rounds or unknown disputes are ignored.
 */
export async function startBallots(options: StartBallotsOptions): Promise<BallotBox> {
  const { gossip, chainId, proofOfCompute } = options;
  const log = options.log ?? silentMarketLogger;
  const republishMs = options.republishMs ?? 5000;
  const maxJobs = options.maxJobs ?? 256;
  const topic = ballotTopic(options);
  const pubsub = gossip.pubsub;
  if (pubsub.topicValidators.has(topic)) {
    throw new Error(
      `startBallots: topic ${topic} already has a validator (is a ballot box already running?)`,
    );
  }
  const jobs = new Map<bigint, Map<number, Round>>();
  /** Our own messages per job, republished until forgotten. */
  const own = new Map<bigint, VerifierMessage[]>();
  let stopped = false;

  const roundOf = (jobId: bigint, round: number): Round => {
    let rounds = jobs.get(jobId);
    if (!rounds) {
      if (jobs.size >= maxJobs) jobs.delete(jobs.keys().next().value!);
      rounds = new Map();
      jobs.set(jobId, rounds);
    }
    let r = rounds.get(round);
    if (!r) {
      r = { votes: new Map(), equivocated: new Set() };
      rounds.set(round, r);
    }
    return r;
  };

  type Verdict = { result: TopicValidatorResult; reason?: string };
  const accept: Verdict = { result: TopicValidatorResult.Accept };
  const ignore = (reason: string): Verdict => ({ result: TopicValidatorResult.Ignore, reason });
  const reject = (reason: string): Verdict => ({ result: TopicValidatorResult.Reject, reason });

  const judgeBallot = async (b: BallotMessage): Promise<Verdict> => {
    const signer = await recoverBallotSigner(chainId, proofOfCompute, b).catch(() => undefined);
    if (!signer || !isAddressEqual(signer, b.verifier)) return reject(`not signed by ${b.verifier}`);
    let draw: VerifierDraw | undefined;
    try {
      draw = await options.lookupDraw(b.jobId);
    } catch (error) {
      return ignore(`could not read the draw: ${(error as Error).message.split("\n")[0]}`);
    }
    if (!draw) return ignore(`job ${b.jobId} has no open dispute`);
    if (draw.round !== b.round) return ignore(`the dispute is in round ${draw.round}, not ${b.round}`);
    // The active set may have changed since the seed: a mismatch is not proof of a forgery.
    if (!draw.verifiers.some((x) => x.index === b.index && isAddressEqual(x.address, b.verifier))) {
      return ignore(`${b.verifier} is not the verifier drawn at place ${b.index}`);
    }
    return record(b);
  };

  /** Records a valid ballot; checked again after the awaits above (another may have come meanwhile). */
  const record = (b: BallotMessage): Verdict => {
    const r = roundOf(b.jobId, b.round);
    const key = b.verifier.toLowerCase();
    if (r.equivocated.has(key)) return ignore(`${b.verifier} signed two ballots in this round`);
    const held = r.votes.get(key);
    if (held?.ballot.commitment === b.commitment) return ignore("duplicate ballot");
    if (held) {
      r.votes.delete(key);
      r.equivocated.add(key);
      return reject(`${b.verifier} signed a second, different ballot for round ${b.round}`);
    }
    r.votes.set(key, { ballot: b });
    return accept;
  };

  const judgeReveal = (x: RevealMessage): Verdict => {
    const held = jobs.get(x.jobId)?.get(x.round)?.votes.get(x.verifier.toLowerCase());
    if (!held) return ignore(`no ballot of ${x.verifier} held for this round`);
    if (held.reveal) return ignore("duplicate reveal");
    const commitment = verificationCommitment(x.jobId, x.verifier, x.result, x.agrees, x.salt);
    if (commitment !== held.ballot.commitment) return reject(`does not open ${x.verifier}'s ballot`);
    held.reveal = x;
    return accept;
  };

  const validator = async (from: PeerId, message: Message): Promise<TopicValidatorResult> => {
    if (stopped) return TopicValidatorResult.Ignore;
    const peer = from.toString();
    let m: VerifierMessage;
    try {
      m = decodeVerifierMessage(message.data);
    } catch (error) {
      if (!(error instanceof VerifierMessageError)) throw error;
      log.warn({ peer, field: error.field, reason: error.message }, "rejected a malformed verifier message");
      return TopicValidatorResult.Reject;
    }
    const verdict = m.type === "ballot" ? await judgeBallot(m) : judgeReveal(m);
    const fields = { peer, type: m.type, jobId: m.jobId.toString(), round: m.round, verifier: m.verifier };
    if (verdict.result === TopicValidatorResult.Reject)
      log.warn({ ...fields, reason: verdict.reason }, "rejected");
    else log.debug({ ...fields, reason: verdict.reason }, verdict.reason ? "ignored" : "accepted");
    return stopped ? TopicValidatorResult.Ignore : verdict.result;
  };

  const publish = async (m: VerifierMessage) => {
    try {
      await pubsub.publish(topic, encodeVerifierMessage({ ...m, sentAt: Math.floor(Date.now() / 1000) }));
    } catch (error) {
      // No peer on the topic yet, or the same bytes within a second: the next republish tries again.
      log.debug({ jobId: m.jobId.toString(), type: m.type, err: (error as Error).message }, "not published");
    }
  };

  const timer = setInterval(() => {
    for (const messages of own.values()) for (const m of messages) void publish(m);
  }, republishMs);
  timer.unref();

  gossip.scoreTopic(topic);
  pubsub.topicValidators.set(topic, validator);
  pubsub.subscribe(topic);
  log.info({ topic }, "joined the verifiers' ballot topic");

  return {
    topic,
    async share(message) {
      if (stopped) throw new Error("share: the ballot box is stopped");
      const m = { ...message, sentAt: 0 } as VerifierMessage;
      const r = roundOf(m.jobId, m.round);
      const key = m.verifier.toLowerCase();
      if (m.type === "ballot") r.votes.set(key, { ...r.votes.get(key), ballot: m });
      else {
        const held = r.votes.get(key);
        if (
          !held ||
          held.ballot.commitment !== verificationCommitment(m.jobId, m.verifier, m.result, m.agrees, m.salt)
        ) {
          throw new Error(`share: our reveal for job ${m.jobId} does not open our ballot`);
        }
        held.reveal = m;
      }
      const mine = (own.get(m.jobId) ?? []).filter((x) => x.type !== m.type || x.round !== m.round);
      own.set(m.jobId, [...mine, m]);
      await publish(m);
      log.info({ jobId: m.jobId.toString(), round: m.round, type: m.type }, "shared our vote's part");
    },
    votes(jobId, round) {
      return [...(jobs.get(jobId)?.get(round)?.votes.values() ?? [])];
    },
    forget(jobId) {
      jobs.delete(jobId);
      own.delete(jobId);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (pubsub.topicValidators.get(topic) === validator) pubsub.topicValidators.delete(topic);
      if (pubsub.isStarted()) pubsub.unsubscribe(topic);
      jobs.clear();
      own.clear();
      log.info({ topic }, "left the verifiers' ballot topic");
    },
  };
}
