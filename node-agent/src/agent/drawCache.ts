import type { VerifierDraw } from "@arthaain/sdk";

export type DrawCacheOptions = {
  /** How long a read is reused, ms, counted from when it was asked for. Default 1000. */
  maxAgeMs?: number;
  /** Jobs kept; beyond it the job read first is dropped. Default 256. */
  maxJobs?: number;
};

/**
 * The current verifier draw of each job's open dispute (getVerifierDraw), read at most once per `maxAgeMs`
 * and shared by the ballot box (one read serves every gossip message of a burst) and the verifier tick.
 * Concurrent callers share the read in flight; a failed read is not kept, so the next caller asks again.
 */
export function createDrawCache(
  read: (jobId: bigint) => Promise<VerifierDraw | undefined>,
  options: DrawCacheOptions = {},
) {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const maxJobs = options.maxJobs ?? 256;
  const entries = new Map<bigint, { at: number; draw: Promise<VerifierDraw | undefined> }>();
  return {
    /** The job's draw as read less than `maxAgeMs` ago, or a new read; undefined when it has no open dispute. */
    get(jobId: bigint): Promise<VerifierDraw | undefined> {
      const hit = entries.get(jobId);
      if (hit && Date.now() - hit.at < maxAgeMs) return hit.draw;
      const draw = read(jobId);
      entries.delete(jobId); // re-inserted last: the size bound drops the oldest read
      entries.set(jobId, { at: Date.now(), draw });
      if (entries.size > maxJobs) entries.delete(entries.keys().next().value!);
      draw.catch(() => {
        if (entries.get(jobId)?.draw === draw) entries.delete(jobId);
      });
      return draw;
    },
    /** Drops the job's read: the next get reads the chain again (after a transaction that changed the draw). */
    forget(jobId: bigint): void {
      entries.delete(jobId);
    },
  };
}

export type DrawCache = ReturnType<typeof createDrawCache>;
