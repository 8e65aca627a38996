// Stage: the verifier role (docs/verification.md). Follows ProofOfCompute's dispute events; when this node
// is drawn for a round and has room, it re-runs the job in the same sandbox as paid work (run.ts). With
// signed votes it then shares a signed ballot over gossip, its reveal once it holds k ballots, and settles
// the round in one transaction once k unanimous reveals are in; a split, a silent peer, on-chain votes or
// time running out send it to the on-chain path: it commits its output root with a random salt kept in the
// store, reveals once the reveal phase opens, and resolves the dispute once a majority is in (anyone may;
// a refusal because someone else did is fine). Once a round
// it voted in is over, it slashes the verifiers that committed and never revealed (slashAbsent). Owns the
// store's `disputes` and `dispute_votes` (through its event watcher) and `verifications` tables; nothing
// else writes them.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import {
  getDisputeMajority,
  getJobRecord,
  type JobRecord,
  jobSpecKinds,
  METRIC_MODE,
  proofOfComputeAbi,
  type RevealMessage,
  signedVoteArgs,
  signVerificationVote,
  type VerifierDraw,
  verificationCommitment,
} from "@arthaain/sdk";
import {
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  isAddressEqual,
  toHex,
} from "viem";
import type { TxOutcome } from "../chain/createTxSender.ts";
import { removeJobContainer } from "../cluster/index.ts";
import { evaluateJob } from "../evaluate/index.ts";
import type { Log } from "../log.ts";
import { finishedVerificationPhases, type Verification, type VerificationData } from "../state/openStore.ts";
import { toProofEvents } from "../watch/proofEvents.ts";
import { watchLogBatches } from "../watch/watchJobEvents.ts";
import { readSelf } from "./bid.ts";
import type { AgentContext } from "./context.ts";
import { judgeMetric } from "./judgeMetric.ts";
import { readRegistryEntries } from "./registryEntries.ts";
import { activeReservations, verificationReservations } from "./reservations.ts";
import { finishJobRun, JobFailure, prepareSpec, startJobRun } from "./run.ts";
import { withdrawBalance } from "./settle.ts";
import { spareUntil } from "./spares.ts";

/** Vote statuses of ProofOfCompute.voteOf. */
const VoteStatus = { None: 0, Committed: 1, Agreed: 2, Disagreed: 3, Slashed: 4 } as const;
/** Seconds kept between a re-run's kill time and the end of the commit phase, for the commit to be mined. */
const COMMIT_MARGIN_S = 5n;
/** Signed votes give way to the on-chain commit this long before the commit margin begins, seconds. */
const SIGNED_RESERVE_S = 10n;
/** How long each later-placed verifier of the k waits after the one before it to submit the votes, ms. */
const SUBMIT_TURN_MS = 4000;

export type StartVerifierOptions = {
  signal: AbortSignal;
  onRpcError?: (error: unknown, attempt: number, retryInMs: number) => void;
};

/**
 * Starts the verifier role's two loops: ProofOfCompute's events into the store (with their own cursor), and
 * a tick over open disputes and unfinished verifications. One step in flight per dispute.
 */
export function startVerifier(ctx: AgentContext, opts: StartVerifierOptions) {
  const { signal } = opts;
  const log = ctx.log.child({ role: "verifier" });
  const inFlight = new Map<bigint, Promise<void>>();

  const act = (jobId: bigint) => {
    if (inFlight.has(jobId) || signal.aborted) return;
    const p = stepVerification(ctx, jobId, log)
      .catch((error: unknown) => {
        if (signal.aborted) return; // stopping: the step resumes after a restart
        if (error instanceof JobFailure) {
          ctx.store.setVerification(jobId, "failed", { reason: `${error.stage}: ${error.message}` });
          ctx.metrics.failures.inc({ stage: `verify-${error.stage}` });
          log.warn(
            { jobId: jobId.toString(), stage: error.stage, reason: error.message },
            "verification failed on this node",
          );
        } else {
          log.warn(
            { jobId: jobId.toString(), err: (error as Error).message },
            "verification step failed; retrying",
          );
        }
      })
      .finally(() => inFlight.delete(jobId));
    inFlight.set(jobId, p);
  };

  const watching = (async () => {
    const events = watchLogBatches({
      client: ctx.publicClient,
      address: ctx.deployment.contracts.proofOfCompute,
      decode: toProofEvents,
      fromBlock: ctx.store.proofCursor() ?? BigInt(ctx.deployment.startBlock),
      confirmations: ctx.config.confirmations,
      pollIntervalMs: ctx.config.pollIntervalMs,
      signal,
      ...(opts.onRpcError ? { onRpcError: opts.onRpcError } : {}),
    });
    for await (const batch of events) {
      ctx.store.applyProofBatch(batch);
      for (const e of batch.events) {
        log.debug(
          { jobId: e.jobId.toString(), event: e.name, block: e.blockNumber.toString() },
          "dispute event",
        );
        act(e.jobId);
      }
    }
  })();

  const ticking = (async () => {
    while (!signal.aborted) {
      try {
        const jobIds = new Set<bigint>(ctx.store.openDisputes().map((d) => d.jobId));
        for (const v of ctx.store.allVerifications({ active: true })) jobIds.add(v.jobId);
        for (const jobId of jobIds) act(jobId);
      } catch (error) {
        log.warn({ err: (error as Error).message }, "verifier tick failed");
      }
      await new Promise((r) => setTimeout(r, ctx.config.pollIntervalMs));
    }
  })();

  return {
    /** Looks at `jobId`'s dispute now (a JobDisputed event seen by the job watcher). */
    poke: act,
    /** Ends both loops; a step waiting on a container is left (re-attached after a restart). */
    async stop() {
      await Promise.allSettled([watching, ticking]);
      await Promise.race([
        Promise.allSettled([...inFlight.values()]),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
    },
  };
}

export type Verifier = ReturnType<typeof startVerifier>;

/** One step of this node's part in `jobId`'s dispute, by the phase the store records. */
export async function stepVerification(ctx: AgentContext, jobId: bigint, parentLog: Log): Promise<void> {
  const log = parentLog.child({ jobId: jobId.toString() });
  const v = ctx.store.verification(jobId);
  if (v && finishedVerificationPhases.includes(v.phase)) return;
  const draw = await ctx.draws.get(jobId); // read less than a second ago (maybe by the ballot box)
  if (!draw) {
    if (v) await disputeOver(ctx, v, log);
    return;
  }
  switch (v?.phase) {
    case undefined:
    case "notDrawn":
    case "skipped":
      if (v?.data.round !== draw.round) await considerDraw(ctx, draw, log);
      else await moveOn(ctx, draw, log);
      return;
    case "standby":
      return considerDraw(ctx, draw, log);
    case "drawn":
      if (v.data.round !== draw.round) return considerDraw(ctx, draw, log);
      return startRun(ctx, draw, v, log);
    case "running":
      return awaitRerun(ctx, draw, v, log);
    case "ran":
      return afterRun(ctx, draw, v, log);
    case "ballotShared":
      return awaitBallots(ctx, draw, v, log);
    case "revealShared":
      return awaitReveals(ctx, draw, v, log);
    case "committed":
      return revealWhenOpen(ctx, draw, v, log);
    case "revealed":
      return moveOn(ctx, draw, log);
  }
}

const set = (ctx: AgentContext, jobId: bigint, phase: Verification["phase"], data: VerificationData = {}) =>
  ctx.store.setVerification(jobId, phase, data);

/**
 * The dispute is gone (resolved, or fell back): our part ends; a re-run still going is stopped. If we voted,
 * we first slash the dispute's absent verifiers that nobody slashed yet (every round is over now) and
 * withdraw our fee (settle.autoWithdraw).
 */
async function disputeOver(ctx: AgentContext, v: Verification, log: Log) {
  if (v.phase === "revealed" && !(await slashAbsentVerifiers(ctx, v.jobId, undefined, log))) return; // next tick
  // A verdict with our vote in the majority paid our fee into the job manager: withdraw it like a job's pay.
  const voted = v.phase === "revealed" || v.phase === "revealShared";
  if (voted && !(await withdrawBalance(ctx))) return; // next tick
  if (v.phase === "running" && v.data.containerId) {
    await removeJobContainer(ctx.docker, v.data.containerId).catch(() => undefined);
  }
  ctx.ballots?.forget(v.jobId);
  const outcome = ctx.store.dispute(v.jobId)?.lastEvent;
  set(ctx, v.jobId, "done", { reason: `the dispute ended (${outcome ?? "no open dispute"})` });
  if (v.phase === "committed" || v.phase === "ballotShared") {
    log.warn({ phase: v.phase }, "the dispute ended before our reveal");
  } else log.info({ phase: v.phase, outcome }, "verification done: the dispute ended");
  await rm(verifyDir(ctx, v.jobId, v.data.round ?? 0), { recursive: true, force: true }).catch(
    () => undefined,
  );
}

const verifyDir = (ctx: AgentContext, jobId: bigint, round: number) =>
  join(ctx.config.dataDir, "verify", `${jobId}-${round}`);

/** Is this node drawn in the current round, and can it take part? Records the answer for the round. */
async function considerDraw(ctx: AgentContext, draw: VerifierDraw, log: Log) {
  const { jobId, round } = draw;
  const skip = (reason: string) => {
    set(ctx, jobId, "skipped", { round, reason });
    log.info({ round, reason }, "not verifying this round");
  };
  if (draw.seed === null) {
    // Nobody fixed the seed while its block's hash existed: ask for a new block's (anyone may).
    if (draw.seedStatus === "unavailable") {
      await sendToProof(ctx, "drawVerifiers", [jobId], { round });
    }
    return; // the seed block is not mined yet: next tick
  }
  const me = draw.verifiers.find((x) => isAddressEqual(x.address, ctx.address));
  if (!me) {
    set(ctx, jobId, "notDrawn", { round });
    log.info({ round, verifiers: draw.verifiers.map((x) => x.address) }, "not drawn as a verifier");
    return;
  }
  const vote = await voteOf(ctx, jobId);
  if (vote.status !== VoteStatus.None) return skip(`this node voted in round ${vote.round} already`);
  if (draw.commits >= draw.k) return skip(`the round has its ${draw.k} verifiers`);
  const now = ctx.chainNow();
  if (now + COMMIT_MARGIN_S >= draw.commitEnd) return skip(`the commit phase ends at ${draw.commitEnd}`);
  const stored = ctx.store.job(jobId);
  if (!stored?.details.specUri || !stored.details.specHash || !stored.details.imageDigest) {
    return skip("the job's submission event was not seen");
  }
  if (await standingBy(ctx, draw, me, stored.job, log)) return;
  // Whether this host can run it at all (image, policy, hardware); room for it is checked at the start.
  const fit = await evaluate(ctx, jobId, round, []);
  if (!fit.ok) return skip(`${fit.code}: ${fit.reason}`);
  set(ctx, jobId, "drawn", { round, index: me.index });
  ctx.metrics.verifications.inc({ outcome: "rerun" });
  log.info(
    { round, index: me.index.toString(), commitEnd: draw.commitEnd.toString() },
    "drawn as a verifier",
  );
  await startRun(ctx, draw, ctx.store.verification(jobId)!, log);
}

/**
 * A spare (spares.ts) stands by while the first verifiers may still vote: true while it waits (phase
 * "standby"). Once the round has its k signed ballots it is not needed (phase "skipped"); once its wait
 * is over without them, it verifies like the first ones (false).
 */
async function standingBy(
  ctx: AgentContext,
  draw: VerifierDraw,
  me: VerifierDraw["verifiers"][number],
  job: JobRecord,
  log: Log,
): Promise<boolean> {
  const { jobId, round } = draw;
  const v = ctx.store.verification(jobId);
  const waiting = v?.phase === "standby" && v.data.round === round ? v.data.standbyUntil : undefined;
  const until =
    waiting ??
    spareUntil({
      draw,
      me: me.address,
      voted: ctx.store.disputeVotes(jobId).map((x) => x.verifier),
      since: ctx.chainNow(),
      runtime: BigInt(job.resultAt) - BigInt(job.bidEnd) - ctx.claimWindow,
      margin: COMMIT_MARGIN_S,
    });
  if (until === null) return false;
  const ballots = ctx.ballots?.votes(jobId, round).length ?? 0;
  if (draw.commits === 0 && ballots >= draw.k) {
    set(ctx, jobId, "skipped", { round, reason: `a spare, and the round has its ${draw.k} signed ballots` });
    ctx.metrics.verifications.inc({ outcome: "spare_unneeded" });
    log.info({ round, index: me.index.toString() }, "spare verifier not needed: the first ones voted");
    return true;
  }
  if (ctx.chainNow() >= until) {
    log.info({ round, ballots }, "spare verifier steps in: the first ones did not all vote in time");
    return false;
  }
  if (waiting === undefined) {
    set(ctx, jobId, "standby", { round, index: me.index, standbyUntil: until });
    log.info(
      { round, index: me.index.toString(), until: until.toString() },
      "drawn as a spare verifier: standing by for the first ones' votes",
    );
  }
  return true;
}

async function evaluate(
  ctx: AgentContext,
  jobId: bigint,
  round: number,
  reservations: ReturnType<typeof activeReservations>,
) {
  const stored = ctx.store.job(jobId)!;
  const job = stored.job;
  const spec = await prepareSpec(ctx, jobId, verifyDir(ctx, jobId, round));
  const [{ model, dataset }, node] = await Promise.all([readRegistryEntries(ctx, job), readSelf(ctx)]);
  const verdict = evaluateJob({
    job: {
      kind: jobSpecKinds[job.kind]!,
      gpuCount: job.gpuCount,
      minVramGb: job.minVramGb,
      minCertLevel: job.minCertLevel,
      maxRuntime: job.maxRuntime,
      maxPrice: job.maxPrice,
      modelId: job.modelId,
      datasetId: job.datasetId,
      imageDigest: stored.details.imageDigest!,
      dependencyCount: job.dependencyCount,
    },
    spec,
    node: { ...node, now: ctx.chainNow() },
    hardware: ctx.hardware,
    reservations,
    registry: {
      ...(model ? { model: { license: model.license, uri: model.uri } } : {}),
      ...(dataset ? { dataset: { license: dataset.license, size: dataset.size, uri: dataset.uri } } : {}),
    },
    // Re-runs come on top of paid work's slots, at most verify.maxConcurrent of them (checked by the caller).
    policy: {
      ...ctx.config.policy,
      maxConcurrentJobs: ctx.config.policy.maxConcurrentJobs + ctx.config.verify.maxConcurrent,
    },
  });
  if (!verdict.ok) return verdict;
  const image = `sha256:${stored.details.imageDigest!.slice(2)}`;
  const present = await ctx.docker
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (!present)
    return { ok: false as const, code: "image", reason: `image ${image} is not present on this host` };
  return { ...verdict, spec };
}

/** Phase "drawn": starts the re-run once a verification slot and the host's capacity allow. */
async function startRun(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const { jobId, round } = draw;
  const now = ctx.chainNow();
  if (draw.commits >= draw.k || now + COMMIT_MARGIN_S >= draw.commitEnd) {
    set(ctx, jobId, "skipped", { round, reason: "the commit phase is over or complete before our re-run" });
    log.info({ round }, "not verifying: too late to re-run");
    return;
  }
  if (verificationReservations(ctx.store).length >= ctx.config.verify.maxConcurrent) return; // wait for a slot
  const fit = await evaluate(ctx, jobId, round, activeReservations(ctx.store));
  if (!fit.ok) {
    log.debug({ round, code: fit.code, reason: fit.reason }, "no room for the re-run yet");
    return;
  }
  const stored = ctx.store.job(jobId)!;
  const runFor = BigInt(stored.job.maxRuntime);
  const left = draw.commitEnd - COMMIT_MARGIN_S - now;
  const deadlineMs = Date.now() + Number(left < runFor ? left : runFor) * 1000;
  const { containerId, reattached } = await startJobRun(
    ctx,
    {
      jobId,
      dir: verifyDir(ctx, jobId, round),
      identity: { jobId, attempt: round, verifier: ctx.address },
      deadlineMs,
      gpuIndexes: fit.reservation.gpuIndexes,
    },
    fit.spec,
  );
  set(ctx, jobId, "running", { containerId, deadlineMs, reservation: fit.reservation, index: v.data.index! });
  log.info({ round, containerId, reattached }, "verification re-run started");
}

/** Phase "running": waits for the re-run; exact mode compares its output root with the worker's. */
async function awaitRerun(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const round = v.data.round!;
  const { root, ms } = await finishJobRun(ctx, {
    containerId: v.data.containerId!,
    deadlineMs: v.data.deadlineMs!,
    dir: verifyDir(ctx, draw.jobId, round),
  });
  const record = ctx.store.job(draw.jobId)!.job;
  if (record.verification & METRIC_MODE) {
    set(ctx, draw.jobId, "ran", { rerunRoot: root });
    log.info({ round, rerunRoot: root, ms }, "verification re-run done");
  } else {
    const agrees = root === record.outputRoot;
    set(ctx, draw.jobId, "ran", { rerunRoot: root, result: root, agrees });
    log.info({ round, result: root, worker: record.outputRoot, agrees, ms }, "verification re-run done");
  }
  await afterRun(ctx, draw, ctx.store.verification(draw.jobId)!, log);
}

/**
 * Phase "ran": metric mode first judges the re-run's metric against the worker's (again next tick when the
 * worker cannot be reached); then the vote goes out, as a signed ballot or an on-chain commit.
 */
async function afterRun(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const { jobId } = draw;
  if (v.data.agrees === undefined) {
    const dir = verifyDir(ctx, jobId, v.data.round!);
    const spec = await prepareSpec(ctx, jobId, dir);
    if (spec.verification?.mode !== "metric") {
      throw new JobFailure("commit", "the job asks for metric mode but its spec names no metric");
    }
    const { job, details } = ctx.store.job(jobId)!;
    if (!details.metricsHash) throw new Error("the job's ResultSubmitted event was not seen yet");
    const { metricsHash } = details;
    const verification = spec.verification;
    const lastChance = ctx.chainNow() >= signedDeadline(draw);
    const worker = job.claimer;
    const verdict = await judgeMetric(ctx, { jobId, worker, metricsHash, verification, dir, lastChance });
    v = set(ctx, jobId, "ran", { result: verdict.result, agrees: verdict.agrees });
    log.info({ round: v.data.round, agrees: verdict.agrees, reason: verdict.reason }, "metric judged");
  }
  return signedOpen(ctx, draw, v) ? shareBallot(ctx, draw, v, log) : commitResult(ctx, draw, v, log);
}

/** Phase "ran": commits the result with a fresh salt, kept in the store before the transaction is sent. */
async function commitResult(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const { jobId, round } = draw;
  if (draw.seed === null) return; // a new round's seed is not there yet
  // The round may have moved on while we ran: commit in the new one if it drew us too.
  const me = draw.verifiers.find((x) => isAddressEqual(x.address, ctx.address));
  if (!me) {
    set(ctx, jobId, "notDrawn", { round });
    log.info({ round }, "not drawn in the dispute's new round; our re-run is not used");
    return;
  }
  if (draw.commits >= draw.k || ctx.chainNow() >= draw.commitEnd) {
    set(ctx, jobId, "skipped", { round, reason: "the commit phase closed before our commit" });
    log.warn({ round, commits: draw.commits, commitEnd: draw.commitEnd.toString() }, "too late to commit");
    return;
  }
  const salt = v.data.salt ?? (toHex(crypto.getRandomValues(new Uint8Array(32))) as Hex);
  if (!v.data.salt || v.data.round !== round || v.data.index !== me.index) {
    set(ctx, jobId, "ran", { salt, round, index: me.index });
  }
  const { result, agrees } = v.data as { result: Hex; agrees: boolean };
  const outcome = await sendToProof(
    ctx,
    "commit",
    [jobId, me.index, verificationCommitment(jobId, ctx.address, result, agrees, salt)],
    { round, index: me.index.toString() },
    "commitVerification",
  );
  if (outcome.status === "mined") {
    set(ctx, jobId, "committed", { commitTx: outcome.hash });
    log.info({ round, agrees }, "verification committed");
  } else if (outcome.status === "refused") {
    if (outcome.errorName === "SeedNotReady") return; // next block
    if (outcome.errorName === "AlreadyVoted") {
      // Our commit landed before a crash: the salt was kept, so go on to the reveal.
      const vote = await voteOf(ctx, jobId);
      if (vote.status === VoteStatus.Committed && vote.round === round) {
        set(ctx, jobId, "committed");
        return;
      }
    }
    set(ctx, jobId, "skipped", { round, reason: `commit refused: ${outcome.reason}` });
  }
  // reverted or failed: try again next tick
}

/** Chain time after which signed votes give way to the on-chain commit (room left to commit in time). */
const signedDeadline = (draw: VerifierDraw) => draw.commitEnd - COMMIT_MARGIN_S - SIGNED_RESERVE_S;

/** May this round still be settled with signed votes as far as we know (docs/verification.md, "Signed votes")? */
function signedOpen(ctx: AgentContext, draw: VerifierDraw, v: Verification): boolean {
  return (
    ctx.ballots !== undefined &&
    !v.data.onChain &&
    draw.seed !== null &&
    draw.commits === 0 &&
    ctx.chainNow() < signedDeadline(draw)
  );
}

const isMe = (ctx: AgentContext, verifier: Address) => isAddressEqual(verifier, ctx.address);

/** Signs our ballot (deterministic: the same after a restart) and shares it; the salt is stored already. */
async function shareOwnBallot(ctx: AgentContext, jobId: bigint, v: Verification) {
  const { round, index, result, agrees, salt } = v.data as Required<VerificationData>;
  const vote = await signVerificationVote(ctx, { jobId, round, index, result, agrees, salt });
  const { commitment, r, vs } = vote;
  await ctx.ballots!.share({ type: "ballot", jobId, round, index, verifier: ctx.address, commitment, r, vs });
}

const shareOwnReveal = (ctx: AgentContext, jobId: bigint, v: Verification) => {
  const { round, result, agrees, salt } = v.data as Required<VerificationData>;
  return ctx.ballots!.share({ type: "reveal", jobId, round, verifier: ctx.address, result, agrees, salt });
};

/** Phase "ran", signed votes: signs our ballot and shares it over gossip (its salt stored first). */
async function shareBallot(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const { jobId, round } = draw;
  const me = draw.verifiers.find((x) => isMe(ctx, x.address));
  if (!me) return commitResult(ctx, draw, v, log); // a new round that did not draw us: recorded there
  const salt = v.data.salt ?? (toHex(crypto.getRandomValues(new Uint8Array(32))) as Hex);
  const ran = set(ctx, jobId, "ran", { salt, round, index: me.index });
  await shareOwnBallot(ctx, jobId, ran);
  set(ctx, jobId, "ballotShared", { ballotSharedAt: Date.now() });
  log.info(
    { round, index: me.index.toString(), agrees: v.data.agrees },
    "ballot shared with the other verifiers",
  );
}

/** Why a round we are voting in with signed votes goes on-chain (signedOpen false), for the log. */
function whyOnChain(ctx: AgentContext, draw: VerifierDraw, v: Verification): string {
  if (draw.round !== v.data.round) return `the dispute moved on to round ${draw.round}`;
  if (draw.commits > 0) return `the round's on-chain commit-reveal began (${draw.commits} commits)`;
  return `signed votes time out at ${signedDeadline(draw)} (chain time ${ctx.chainNow()})`;
}

/** Signed votes of this round end for us: forget the gossip and commit on-chain (commitResult). */
async function goOnChain(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log, reason: string) {
  ctx.ballots?.forget(draw.jobId);
  log.info(
    { round: v.data.round, phase: v.phase, reason },
    "signed votes gave way to the on-chain commit-reveal",
  );
  await commitResult(ctx, draw, set(ctx, draw.jobId, "ran", { onChain: true, reason }), log);
}

/** Phase "ballotShared": once k ballots of distinct drawn verifiers are held, seals them and shares our reveal. */
async function awaitBallots(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const { jobId, round } = draw;
  if (!signedOpen(ctx, draw, v) || round !== v.data.round) {
    return goOnChain(ctx, draw, v, log, whyOnChain(ctx, draw, v));
  }
  const held = ctx.ballots!.votes(jobId, round);
  if (!held.some((x) => isMe(ctx, x.ballot.verifier))) return shareOwnBallot(ctx, jobId, v); // after a restart
  if (held.length < draw.k) return;
  if (ctx.faults?.skipReveal) {
    // Test fault (AgentFaults): hold the reveal back; the round goes on-chain when signed votes time out.
    const reason = "test fault skipReveal: not sharing the reveal";
    if (v.data.reason !== reason) {
      set(ctx, jobId, "ballotShared", { reason });
      log.warn({ round }, "test fault: ballot shared, not revealing");
    }
    return;
  }
  // Ballots that come after our reveal could copy it: only these ones settle the round with ours.
  const sealed = held.map((x) => x.ballot.verifier);
  const shared = set(ctx, jobId, "revealShared", { sealed, revealSharedAt: Date.now() });
  await shareOwnReveal(ctx, jobId, shared);
  log.info({ round, ballots: sealed.length }, "k ballots held: reveal shared");
}

/**
 * Phase "revealShared": with k unanimous reveals of sealed ballots, the lowest-placed of the k submits them
 * (resolveSigned), each later one after its turn in case the one before is gone; a split, a silent peer or
 * a refusal sends the round on-chain.
 */
async function awaitReveals(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const { jobId, round } = draw;
  if (!signedOpen(ctx, draw, v) || round !== v.data.round) {
    return goOnChain(ctx, draw, v, log, whyOnChain(ctx, draw, v));
  }
  const box = ctx.ballots!;
  let held = box.votes(jobId, round);
  const mine = held.find((x) => isMe(ctx, x.ballot.verifier));
  if (!mine?.reveal) {
    // After a restart (the box is in memory): ours first, so the reveal opens it; then count ours in too.
    if (!mine) await shareOwnBallot(ctx, jobId, v);
    await shareOwnReveal(ctx, jobId, v);
    held = box.votes(jobId, round);
  }
  const sealed = v.data.sealed ?? [];
  const revealed = held
    .filter((x) => x.reveal && sealed.some((a) => isAddressEqual(a, x.ballot.verifier)))
    .sort((a, b) => (a.ballot.index < b.ballot.index ? -1 : 1));
  // A vote upholds the result when its root equals the worker's, or in metric mode when it agrees (the
  // contract's rule).
  const { outputRoot, verification } = ctx.store.job(jobId)!.job;
  const upholds = (x: RevealMessage) => (verification & METRIC_MODE ? x.agrees : x.result === outputRoot);
  const upheld = new Set(revealed.map((x) => upholds(x.reveal!)));
  if (upheld.size > 1) return goOnChain(ctx, draw, v, log, "a split vote: the majority is decided on-chain");
  if (revealed.length < draw.k) {
    const waitedMs = Date.now() - (v.data.revealSharedAt ?? 0);
    if (waitedMs < ctx.config.verify.signedRevealWaitSeconds * 1000) return;
    return goOnChain(ctx, draw, v, log, `${revealed.length} of ${draw.k} reveals came in ${waitedMs} ms`);
  }
  const chosen = revealed.slice(0, draw.k);
  const turn = chosen.findIndex((x) => isMe(ctx, x.ballot.verifier));
  const completeAt =
    v.data.completeAt ?? set(ctx, jobId, "revealShared", { completeAt: Date.now() }).data.completeAt!;
  if (Date.now() - completeAt < (turn < 0 ? draw.k : turn) * SUBMIT_TURN_MS) return; // an earlier turn
  const { jobManager } = ctx.deployment.contracts;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const outcome = await sendToProof(
    ctx,
    "resolveSigned",
    [jobId, record, signedVoteArgs(chosen.map((x) => ({ ...x.ballot, ...x.reveal! })))],
    { round, upheld: [...upheld][0] },
    "resolveDisputeSigned",
  );
  if (outcome.status === "mined") {
    log.info({ round, upheld: [...upheld][0], tx: outcome.hash }, "dispute settled with signed votes");
  } else if (outcome.status === "refused") {
    // NoChallenge: another verifier settled it first (the next tick ends our part); StaleRecord: again.
    if (outcome.errorName === "NoChallenge" || outcome.errorName === "StaleRecord") return;
    return goOnChain(ctx, draw, v, log, `resolveSigned refused: ${outcome.reason}`);
  }
  // reverted (a race in one block) or failed: the next tick reads the dispute again
}

/** `verifier`'s vote in `jobId`'s dispute (ProofOfCompute.voteOf); ours by default. */
const voteOf = (ctx: AgentContext, jobId: bigint, verifier: Address = ctx.address) =>
  ctx.publicClient.readContract({
    address: ctx.deployment.contracts.proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "voteOf",
    args: [jobId, verifier],
  });

type ProofWrite = ContractFunctionName<typeof proofOfComputeAbi, "nonpayable">;

/**
 * Sends a ProofOfCompute write through the agent's sender and returns its outcome; `label` names it in the
 * logs and sentCount. Each such write takes the job first and may change its draw (a seed, a commit, a
 * reveal, a new round, the dispute's end): the job's cached draw is dropped, so none read before it is used.
 */
async function sendToProof<F extends ProofWrite>(
  ctx: AgentContext,
  functionName: F,
  args: ContractFunctionArgs<typeof proofOfComputeAbi, "nonpayable", F>,
  context: Record<string, unknown>,
  label: string = functionName,
): Promise<TxOutcome> {
  const jobId = (args as readonly unknown[])[0] as bigint;
  const outcome = await ctx.sender.send({
    label,
    address: ctx.deployment.contracts.proofOfCompute,
    abi: proofOfComputeAbi,
    functionName,
    args: args as readonly unknown[],
    context: { jobId: jobId.toString(), ...context },
  });
  ctx.draws.forget(jobId);
  return outcome;
}

/** Phase "committed": reveals once k verifiers committed or the commit phase ended. */
async function revealWhenOpen(ctx: AgentContext, draw: VerifierDraw, v: Verification, log: Log) {
  const { jobId } = draw;
  const now = ctx.chainNow();
  if (draw.round !== v.data.round || now >= draw.revealEnd) {
    throw new JobFailure("reveal", `the reveal phase of round ${v.data.round} ended before our reveal`);
  }
  if (draw.commits < draw.k && now < draw.commitEnd) return; // not open yet
  if (ctx.faults?.skipReveal) {
    // Test fault (AgentFaults): stay silent; once the reveal phase ends this part fails as a missed reveal.
    const reason = "test fault skipReveal: not revealing";
    if (v.data.reason !== reason) {
      set(ctx, jobId, "committed", { reason });
      log.warn({ round: draw.round }, "test fault: committed, not revealing");
    }
    return;
  }
  const { jobManager } = ctx.deployment.contracts;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const { result, agrees, salt } = v.data as { result: Hex; agrees: boolean; salt: Hex };
  const outcome = await sendToProof(
    ctx,
    "reveal",
    [jobId, record, result, agrees, salt],
    { round: draw.round },
    "revealVerification",
  );
  if (outcome.status === "mined") {
    set(ctx, jobId, "revealed", { revealTx: outcome.hash });
    log.info({ round: draw.round, agrees }, "verification revealed");
  } else if (outcome.status === "refused") {
    if (outcome.errorName === "NothingToReveal") {
      const vote = await voteOf(ctx, jobId);
      if (vote.status === VoteStatus.Agreed || vote.status === VoteStatus.Disagreed) {
        set(ctx, jobId, "revealed");
        return;
      }
    }
    if (outcome.errorName === "RevealClosed" || outcome.errorName === "CommitmentMismatch") {
      throw new JobFailure("reveal", outcome.reason);
    }
    // RevealNotOpen (the chain's next block decides), StaleRecord: next tick
  }
}

/**
 * After our vote (or for a round we are not in): resolves once a majority is in and no vote is pending, or
 * starts the next round when the reveal phase ended without one. Anyone may; losing the race is fine.
 */
async function moveOn(ctx: AgentContext, draw: VerifierDraw, log: Log) {
  const { jobId } = draw;
  const now = ctx.chainNow();
  const v = ctx.store.verification(jobId);
  // Nodes outside the round only step in once its reveal phase is over (the voters resolve before).
  if (v?.phase !== "revealed" && now < draw.revealEnd) return;
  // Voters slash whoever committed and stayed silent, once that verifier's round is over: before the
  // resolution, which the silent vote held up until the end of the reveal phase, or before the next round.
  if (v?.phase === "revealed") await slashAbsentVerifiers(ctx, jobId, draw, log);
  const needed = Math.floor(draw.k / 2) + 1;
  const reached = draw.agree >= needed || draw.disagree >= needed;
  const { jobManager } = ctx.deployment.contracts;
  if (reached) {
    if (draw.agree + draw.disagree < draw.commits && now < draw.revealEnd) return; // votes pending
    const [record, majority] = await Promise.all([
      getJobRecord(ctx.publicClient, { jobManager, jobId }),
      getDisputeMajority(ctx, { jobId }),
    ]);
    const outcome = await sendToProof(
      ctx,
      "resolve",
      [jobId, record, majority.majority],
      { upheld: majority.upheld, agree: draw.agree, disagree: draw.disagree },
      "resolveDispute",
    );
    if (outcome.status === "mined") {
      log.info({ upheld: majority.upheld, majority: majority.majority }, "dispute resolved");
    }
    // refused (NoChallenge: someone resolved it first) or reverted (lost the race in a block): the next
    // tick finds no dispute and ends our part.
    return;
  }
  if (now < draw.revealEnd) return;
  const timeoutAt = draw.openedAt + ctx.disputeTimeout;
  if (v?.data.noRoundsLeft && now < timeoutAt) return; // nothing to do until the timeout (days, maybe)
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  // Past the dispute's timeout without a majority: the no-quorum fallback (the requester refunded, nobody
  // slashed, a challenger's bond back) instead of another round. Anyone may; a lost race is refused.
  if (now >= timeoutAt) {
    const outcome = await sendToProof(ctx, "resolveUnverified", [jobId, record], { round: draw.round });
    if (outcome.status === "mined") {
      log.info({ round: draw.round, tx: outcome.hash }, "no majority before the dispute timeout: fell back");
    }
    return; // refused (someone did it, or a vote may still be revealed): the next tick looks again
  }
  const outcome = await sendToProof(
    ctx,
    "nextRound",
    [jobId, record],
    { round: draw.round },
    "nextVerificationRound",
  );
  if (outcome.status === "mined") log.info({ round: draw.round + 1 }, "next verifier round started");
  else if (outcome.status === "refused" && outcome.errorName === "NoRoundsLeft" && v) {
    // No majority within maxRounds: the fallback comes at the dispute timeout.
    set(ctx, jobId, v.phase, { noRoundsLeft: true });
    log.info(
      { round: draw.round, timeoutAt: timeoutAt.toString() },
      "no rounds left: waiting for the timeout",
    );
  }
}

/**
 * Slashes `jobId`'s absent verifiers (docs/verification.md, step 8): those the Committed events name whose
 * vote is still Committed once their round is over (a later round began, the reveal phase ended, or the
 * dispute ended: `draw` undefined). Anyone may; the agents that voted do it. Idempotent: each vote is read
 * before sending, and a refusal because another node slashed it first (NotAbsent) is fine. Returns false
 * when a slash is to be tried again (a failed transaction, a round not over on-chain yet, a stale record).
 */
async function slashAbsentVerifiers(
  ctx: AgentContext,
  jobId: bigint,
  draw: VerifierDraw | undefined,
  log: Log,
): Promise<boolean> {
  const now = ctx.chainNow();
  const absent = ctx.store
    .disputeVotes(jobId)
    .filter(
      (x) =>
        x.status === "committed" &&
        !isAddressEqual(x.verifier, ctx.address) &&
        (!draw || x.round < draw.round || now >= draw.revealEnd),
    );
  let settled = true;
  let record: JobRecord | undefined;
  const { jobManager } = ctx.deployment.contracts;
  for (const x of absent) {
    const vote = await voteOf(ctx, jobId, x.verifier);
    if (vote.status !== VoteStatus.Committed) continue; // revealed late, or slashed: the events will say
    record ??= await getJobRecord(ctx.publicClient, { jobManager, jobId });
    const outcome = await sendToProof(
      ctx,
      "slashAbsent",
      [jobId, record, x.verifier],
      { verifier: x.verifier, round: x.round },
      "slashAbsentVerifier",
    );
    if (outcome.status === "mined") {
      log.info({ verifier: x.verifier, round: x.round, tx: outcome.hash }, "slashed an absent verifier");
    } else if (outcome.status === "refused") {
      // NotAbsent: someone slashed it first (or it revealed after all). RoundNotOver (our clock is a block
      // ahead of the contract's) and StaleRecord (the dispute just changed the record): try again.
      if (outcome.errorName === "RoundNotOver" || outcome.errorName === "StaleRecord") settled = false;
    } else {
      settled = false; // reverted (a race in one block) or failed: the next step reads the vote again
    }
  }
  return settled;
}
