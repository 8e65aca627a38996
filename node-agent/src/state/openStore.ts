import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { JobRecord } from "@arthaain/sdk";
import { type Address, getAddress, type Hex } from "viem";
import type { ProofEvent } from "../watch/proofEvents.ts";
import type { JobEventBatch, LogBatch } from "../watch/watchJobEvents.ts";

/** What a job's events said beyond its record: kept from JobSubmitted and ResultSubmitted. */
export type JobDetails = {
  imageDigest?: Hex;
  specHash?: Hex;
  specUri?: string;
  dependsOn?: bigint[];
  outputUri?: string;
  metricsHash?: Hex;
};

/** A job as the agent last saw it on-chain. */
export type StoredJob = {
  jobId: bigint;
  job: JobRecord;
  lastEvent: string;
  lastBlock: bigint;
  details: JobDetails;
};

/**
 * The agent's own progress on one job (the pipeline is its only writer). `phase` says which stage acts
 * next; `data` holds what the stages produced (bid, reservation, container, output root, failure reason).
 */
export type Work = {
  jobId: bigint;
  phase: WorkPhase;
  data: WorkData;
  updatedAt: number;
};
export const workPhases = [
  "bid", // our bid is out; the claim slot decides
  "claimed", // our claim is on-chain; assigned when the claim window closes unless outbid
  "assigned", // ours to run: fetch inputs, start the container
  "running", // the container runs (re-attached after a restart)
  "ran", // outputs committed locally; the result goes on-chain next
  "submitted", // result on-chain; finalize after the challenge window
  "finalized", // paid; withdraw next (when configured)
  "done",
  "lost",
  "skipped",
  "failed",
] as const;
export type WorkPhase = (typeof workPhases)[number];
export const finishedPhases: readonly WorkPhase[] = ["done", "lost", "skipped", "failed"];
export type WorkData = {
  price?: bigint;
  attempt?: number;
  reason?: string;
  reservation?: { cpus: number; memoryMb: number; gpuIndexes: number[] };
  containerId?: string;
  deadlineMs?: number;
  outputRoot?: Hex;
  metricsHash?: Hex;
  outputUri?: string;
  claimTx?: Hex;
  resultTx?: Hex;
  exitCode?: number;
  /** Wall-clock times (ms) the job was assigned to us and its container started. */
  assignedAtMs?: number;
  startedAtMs?: number;
  /** Block the settle stage waits past before looking at the job's random audit again (its seed block, or
   * the block its drawAudit was mined in). */
  auditWaitBlock?: number;
};

/** A dispute as the ProofOfCompute events showed it (written only by the verifier's event watcher). */
export type StoredDispute = {
  jobId: bigint;
  open: boolean;
  round: number;
  seedBlock: bigint;
  commitEnd: bigint;
  lastEvent: string;
  lastBlock: bigint;
};

/**
 * One verifier's vote in a dispute as the ProofOfCompute events showed it: committed (in `round`), then
 * revealed, or slashed as absent. A vote still "committed" after its round is over is slashable.
 */
export type StoredVote = {
  jobId: bigint;
  verifier: Address;
  round: number;
  status: "committed" | "revealed" | "slashed";
};

/**
 * This node's part in one job's dispute as a verifier (the verify stage is its only writer). Separate from
 * `Work`: a verification is not paid work, and a node never verifies its own job.
 */
export type Verification = {
  jobId: bigint;
  phase: VerificationPhase;
  data: VerificationData;
  updatedAt: number;
};
export const verificationPhases = [
  "notDrawn", // not among this round's verifiers (a later round may draw us)
  "skipped", // drawn but not taking part in this round (too late, no capacity fit, complete); see reason
  "standby", // drawn as a spare (beyond the votes the round needs): re-runs only if they do not come in time
  "drawn", // drawn; waits for capacity to re-run the job
  "running", // the re-run's container runs
  "ran", // the re-run's output root is known; share a ballot or commit next (the salt is kept before either)
  "ballotShared", // signed commitment shared over gossip; reveal once k ballots are held
  "revealShared", // reveal shared over gossip; settle in one transaction once k unanimous reveals are in
  "committed", // commitment on-chain; reveal when the reveal phase opens
  "revealed", // vote on-chain; resolve once a majority is in
  "done", // the dispute ended
  "failed", // could not take part (re-run failed, reveal missed); see reason
] as const;
export type VerificationPhase = (typeof verificationPhases)[number];
export const finishedVerificationPhases: readonly VerificationPhase[] = ["done", "failed"];
export type VerificationData = {
  /** The round this phase is about. */
  round?: number;
  /** Our place in the round's draw. */
  index?: bigint;
  reason?: string;
  reservation?: { cpus: number; memoryMb: number; gpuIndexes: number[] };
  containerId?: string;
  deadlineMs?: number;
  /** The output root of our re-run. */
  rerunRoot?: Hex;
  /** Our vote: the re-run's output root (exact mode) or metric word (metric mode), and our verdict. */
  result?: Hex;
  agrees?: boolean;
  /** The commitment's salt: random, kept until the reveal (losing it means being slashed as absent). */
  salt?: Hex;
  commitTx?: Hex;
  revealTx?: Hex;
  /** Signed votes gave way to the on-chain commit-reveal (a split, a silent peer, time up, on-chain votes). */
  onChain?: boolean;
  /** When our ballot, then our reveal, went out (ms). */
  ballotSharedAt?: number;
  revealSharedAt?: number;
  /** The verifiers whose ballots we held when we revealed: only their votes settle the round with ours. */
  sealed?: Address[];
  /** A spare stands by until this chain time (seconds) for the first verifiers' votes (phase "standby"). */
  standbyUntil?: bigint;
  /** The dispute had no majority in its last round: nothing to do until its timeout. */
  noRoundsLeft?: boolean;
  /** When we first held k unanimous reveals (ms): the later-placed verifiers wait their turn to submit. */
  completeAt?: number;
  upheld?: boolean;
};

/**
 * The agent's local state (SQLite through node:sqlite): the chain cursor and every job's latest record.
 * A watched batch is applied in one transaction together with the cursor, so after a crash (kill -9
 * included) the agent resumes at the first block whose events it had not stored, and no event is lost or
 * applied twice.
 */
export function openStore(path: string) {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS jobs (
      job_id TEXT PRIMARY KEY,
      record TEXT NOT NULL,
      last_event TEXT NOT NULL,
      last_block TEXT NOT NULL,
      details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE IF NOT EXISTS work (
      job_id TEXT PRIMARY KEY,
      phase TEXT NOT NULL,
      data TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS disputes (
      job_id TEXT PRIMARY KEY,
      open INTEGER NOT NULL,
      round INTEGER NOT NULL,
      seed_block TEXT NOT NULL,
      commit_end TEXT NOT NULL,
      last_event TEXT NOT NULL,
      last_block TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS dispute_votes (
      job_id TEXT NOT NULL,
      verifier TEXT NOT NULL,
      round INTEGER NOT NULL,
      status TEXT NOT NULL,
      PRIMARY KEY (job_id, verifier)
    );
    CREATE TABLE IF NOT EXISTS verifications (
      job_id TEXT PRIMARY KEY,
      phase TEXT NOT NULL,
      data TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `);
  const getMeta = db.prepare("SELECT value FROM meta WHERE key = ?");
  const setMeta = db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  );
  const upsertJob = db.prepare(`
    INSERT INTO jobs (job_id, record, last_event, last_block) VALUES (?, ?, ?, ?)
    ON CONFLICT(job_id) DO UPDATE SET
      record = excluded.record, last_event = excluded.last_event, last_block = excluded.last_block`);
  const selectDetails = db.prepare("SELECT details FROM jobs WHERE job_id = ?");
  const setDetails = db.prepare("UPDATE jobs SET details = ? WHERE job_id = ?");
  const upsertWork = db.prepare(`
    INSERT INTO work (job_id, phase, data, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT(job_id) DO UPDATE SET
      phase = excluded.phase, data = excluded.data, updated_at = excluded.updated_at`);
  const selectWork = db.prepare("SELECT * FROM work WHERE job_id = ?");
  const selectAllWork = db.prepare("SELECT * FROM work ORDER BY CAST(job_id AS INTEGER)");
  const toWork = (row: Record<string, unknown>): Work => ({
    jobId: BigInt(row.job_id as string),
    phase: row.phase as WorkPhase,
    data: decode(row.data as string) as WorkData,
    updatedAt: Number(row.updated_at),
  });
  const selectJob = db.prepare("SELECT * FROM jobs WHERE job_id = ?");
  const selectJobs = db.prepare("SELECT * FROM jobs ORDER BY CAST(job_id AS INTEGER)");

  const selectDispute = db.prepare("SELECT * FROM disputes WHERE job_id = ?");
  const selectOpenDisputes = db.prepare(
    "SELECT * FROM disputes WHERE open = 1 ORDER BY CAST(job_id AS INTEGER)",
  );
  const upsertDispute = db.prepare(`
    INSERT INTO disputes (job_id, open, round, seed_block, commit_end, last_event, last_block)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(job_id) DO UPDATE SET
      open = excluded.open, round = excluded.round, seed_block = excluded.seed_block,
      commit_end = excluded.commit_end, last_event = excluded.last_event, last_block = excluded.last_block`);
  const touchDispute = db.prepare("UPDATE disputes SET last_event = ?, last_block = ? WHERE job_id = ?");
  const closeDispute = db.prepare(
    "UPDATE disputes SET open = 0, last_event = ?, last_block = ? WHERE job_id = ?",
  );
  const toDispute = (row: Record<string, unknown>): StoredDispute => ({
    jobId: BigInt(row.job_id as string),
    open: Number(row.open) === 1,
    round: Number(row.round),
    seedBlock: BigInt(row.seed_block as string),
    commitEnd: BigInt(row.commit_end as string),
    lastEvent: row.last_event as string,
    lastBlock: BigInt(row.last_block as string),
  });
  const insertVote = db.prepare(`
    INSERT INTO dispute_votes (job_id, verifier, round, status) VALUES (?, ?, ?, 'committed')
    ON CONFLICT(job_id, verifier) DO NOTHING`);
  const setVoteStatus = db.prepare("UPDATE dispute_votes SET status = ? WHERE job_id = ? AND verifier = ?");
  const selectVotes = db.prepare(
    "SELECT * FROM dispute_votes WHERE job_id = ? ORDER BY round, verifier COLLATE NOCASE",
  );
  const upsertVerification = db.prepare(`
    INSERT INTO verifications (job_id, phase, data, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT(job_id) DO UPDATE SET
      phase = excluded.phase, data = excluded.data, updated_at = excluded.updated_at`);
  const selectVerification = db.prepare("SELECT * FROM verifications WHERE job_id = ?");
  const selectAllVerifications = db.prepare("SELECT * FROM verifications ORDER BY CAST(job_id AS INTEGER)");
  const toVerification = (row: Record<string, unknown>): Verification => ({
    jobId: BigInt(row.job_id as string),
    phase: row.phase as VerificationPhase,
    data: decode(row.data as string) as VerificationData,
    updatedAt: Number(row.updated_at),
  });

  const toStored = (row: Record<string, unknown>): StoredJob => ({
    jobId: BigInt(row.job_id as string),
    job: decode(row.record as string) as JobRecord,
    lastEvent: row.last_event as string,
    lastBlock: BigInt(row.last_block as string),
    details: decode(row.details as string) as JobDetails,
  });

  return {
    /** The next block to read, or undefined on a fresh store. */
    cursor(): bigint | undefined {
      const row = getMeta.get("cursor") as { value: string } | undefined;
      return row ? BigInt(row.value) : undefined;
    },
    /** Stores a batch's records and moves the cursor past it, atomically. */
    applyBatch(batch: JobEventBatch): void {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const e of batch.events) {
          const id = e.jobId.toString();
          upsertJob.run(id, encode(e.job), e.name, e.blockNumber.toString());
          const found = detailsOf(e.name, e.args);
          if (found) {
            const row = selectDetails.get(id) as { details: string };
            setDetails.run(encode({ ...(decode(row.details) as JobDetails), ...found }), id);
          }
        }
        setMeta.run("cursor", (batch.toBlock + 1n).toString());
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    job(jobId: bigint): StoredJob | undefined {
      const row = selectJob.get(jobId.toString()) as Record<string, unknown> | undefined;
      return row ? toStored(row) : undefined;
    },
    jobs(): StoredJob[] {
      return (selectJobs.all() as Record<string, unknown>[]).map(toStored);
    },
    /** The agent's progress on `jobId`, if it ever acted on it. */
    work(jobId: bigint): Work | undefined {
      const row = selectWork.get(jobId.toString()) as Record<string, unknown> | undefined;
      return row ? toWork(row) : undefined;
    },
    /** Every job the agent acted on; `active` keeps only those still in progress. */
    allWork(filter: { active?: boolean } = {}): Work[] {
      const all = (selectAllWork.all() as Record<string, unknown>[]).map(toWork);
      return filter.active ? all.filter((w) => !finishedPhases.includes(w.phase)) : all;
    },
    /** Moves `jobId` to `phase`, merging `data` into what earlier stages stored. Durable on return. */
    setWork(jobId: bigint, phase: WorkPhase, data: WorkData = {}): Work {
      const before = this.work(jobId)?.data ?? {};
      const work = { jobId, phase, data: { ...before, ...data }, updatedAt: Date.now() };
      upsertWork.run(jobId.toString(), phase, encode(work.data), work.updatedAt);
      return work;
    },
    /** The next ProofOfCompute block to read (the verifier's watcher), or undefined on a fresh store. */
    proofCursor(): bigint | undefined {
      const row = getMeta.get("proofCursor") as { value: string } | undefined;
      return row ? BigInt(row.value) : undefined;
    },
    /** Stores a batch of dispute events and moves the proof cursor past it, atomically. */
    applyProofBatch(batch: LogBatch<ProofEvent>): void {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const e of batch.events) {
          const id = e.jobId.toString();
          const block = e.blockNumber.toString();
          if (e.name === "VerifiersDrawn") {
            const a = e.args as { round: number; seedBlock: bigint; commitEnd: number };
            upsertDispute.run(id, 1, a.round, a.seedBlock.toString(), String(a.commitEnd), e.name, block);
          } else if (e.name === "DisputeResolved" || e.name === "DisputeUnresolved") {
            closeDispute.run(e.name, block, id);
          } else {
            touchDispute.run(e.name, block, id);
          }
          const verifier = (e.args as { verifier?: Address }).verifier;
          if (!verifier) continue;
          if (e.name === "Committed") {
            insertVote.run(id, getAddress(verifier), Number((e.args as { round: number }).round));
          } else if (e.name === "Revealed" || e.name === "VerifierSlashed") {
            setVoteStatus.run(e.name === "Revealed" ? "revealed" : "slashed", id, getAddress(verifier));
          }
        }
        setMeta.run("proofCursor", (batch.toBlock + 1n).toString());
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    dispute(jobId: bigint): StoredDispute | undefined {
      const row = selectDispute.get(jobId.toString()) as Record<string, unknown> | undefined;
      return row ? toDispute(row) : undefined;
    },
    /** Disputes whose verdict is still to come, as far as the watched events say. */
    openDisputes(): StoredDispute[] {
      return (selectOpenDisputes.all() as Record<string, unknown>[]).map(toDispute);
    },
    /** The verifiers that committed in `jobId`'s dispute, every round, with what became of their votes. */
    disputeVotes(jobId: bigint): StoredVote[] {
      return (selectVotes.all(jobId.toString()) as Record<string, unknown>[]).map((row) => ({
        jobId,
        verifier: row.verifier as Address,
        round: Number(row.round),
        status: row.status as StoredVote["status"],
      }));
    },
    verification(jobId: bigint): Verification | undefined {
      const row = selectVerification.get(jobId.toString()) as Record<string, unknown> | undefined;
      return row ? toVerification(row) : undefined;
    },
    /** Every dispute this node looked at as a verifier; `active` keeps those not finished. */
    allVerifications(filter: { active?: boolean } = {}): Verification[] {
      const all = (selectAllVerifications.all() as Record<string, unknown>[]).map(toVerification);
      return filter.active ? all.filter((v) => !finishedVerificationPhases.includes(v.phase)) : all;
    },
    /** Moves the verification of `jobId` to `phase`, merging `data`. Durable on return. */
    setVerification(jobId: bigint, phase: VerificationPhase, data: VerificationData = {}): Verification {
      const before = this.verification(jobId)?.data ?? {};
      const v = { jobId, phase, data: { ...before, ...data }, updatedAt: Date.now() };
      upsertVerification.run(jobId.toString(), phase, encode(v.data), v.updatedAt);
      return v;
    },
    close(): void {
      db.close();
    },
  };
}

export type Store = ReturnType<typeof openStore>;

function detailsOf(name: string, args: Record<string, unknown>): JobDetails | undefined {
  if (name === "JobSubmitted") {
    return {
      imageDigest: args.imageDigest as Hex,
      specHash: args.specHash as Hex,
      specUri: args.specUri as string,
      dependsOn: [...(args.dependsOn as readonly bigint[])],
    };
  }
  if (name === "ResultSubmitted") {
    return { outputUri: args.outputUri as string, metricsHash: args.metricsHash as Hex };
  }
  return undefined;
}

// Records hold bigints (amounts); JSON keeps them as {"$bigint": "..."}.
function encode(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? { $bigint: v.toString() } : v));
}
function decode(text: string): unknown {
  return JSON.parse(text, (_k, v) =>
    v && typeof v === "object" && typeof v.$bigint === "string" ? BigInt(v.$bigint) : v,
  );
}
