import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { JobRecord } from "@arthaain/sdk";
import type { JobEventBatch } from "../watch/watchJobEvents.ts";

/** A job as the agent last saw it on-chain. */
export type StoredJob = { jobId: bigint; job: JobRecord; lastEvent: string; lastBlock: bigint };

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
      last_block TEXT NOT NULL
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
  const selectJob = db.prepare("SELECT * FROM jobs WHERE job_id = ?");
  const selectJobs = db.prepare("SELECT * FROM jobs ORDER BY CAST(job_id AS INTEGER)");

  const toStored = (row: Record<string, unknown>): StoredJob => ({
    jobId: BigInt(row.job_id as string),
    job: decode(row.record as string) as JobRecord,
    lastEvent: row.last_event as string,
    lastBlock: BigInt(row.last_block as string),
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
          upsertJob.run(e.jobId.toString(), encode(e.job), e.name, e.blockNumber.toString());
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
    close(): void {
      db.close();
    },
  };
}

export type Store = ReturnType<typeof openStore>;

// Records hold bigints (amounts); JSON keeps them as {"$bigint": "..."}.
function encode(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? { $bigint: v.toString() } : v));
}
function decode(text: string): unknown {
  return JSON.parse(text, (_k, v) =>
    v && typeof v === "object" && typeof v.$bigint === "string" ? BigInt(v.$bigint) : v,
  );
}
