// A job's story (the job_story table): every timeline event, claim, result, challenge and payout of the
// job, in the order they happened. Each is also a row of its own table (filters, node histories, GraphQL);
// the copy makes /jobs/:id one primary-key read instead of six queries, which is what lets it serve
// hundreds of requests a second on a small machine (bench:indexer). Both are written here, together, and a
// reorg reverts both, so they cannot disagree (the indexer test checks that they do not).

import { challenge, claim, job, jobEvent, jobStory, payout, result } from "ponder:schema";
import type { Address } from "viem";
import { type Context, type EventMeta, json, originOf } from "./origin.ts";

/** A story row: its table's row with bigints as decimal strings. */
export type Told = Record<string, unknown>;

const tables = {
  timeline: jobEvent,
  claims: claim,
  results: result,
  challenges: challenge,
  payouts: payout,
} as const;
type Part = keyof typeof tables;
type RowOf<P extends Part> = (typeof tables)[P]["$inferInsert"] & { id: string; jobId: bigint };

/** A new job's empty story. */
export async function beginStory(context: Context, jobId: bigint) {
  await context.db
    .insert(jobStory)
    .values({ jobId, timeline: [], claims: [], results: [], challenges: [], payouts: [] });
}

/** Inserts `row` into its table and tells it on its job's story. */
export async function tell<P extends Part>(context: Context, part: P, row: RowOf<P>) {
  // Cast to one member: a call on the union of tables does not type-check.
  await context.db.insert(tables[part] as typeof jobEvent).values(row as RowOf<"timeline">);
  await context.db.update(jobStory, { jobId: row.jobId }).set((s) => ({ [part]: [...s[part], json(row)] }));
}

/**
 * Tells an event that carries no job record (a slash, a verification step) on its job's timeline, with the
 * state the job is in: its record moves with the job manager's events around it.
 */
export async function tellOnTimeline(
  context: Context,
  e: EventMeta,
  jobId: bigint,
  name: string,
  extra: { node?: Address | null; amount?: bigint | null; data?: Record<string, unknown> | null } = {},
) {
  const current = await context.db.find(job, { id: jobId });
  if (!current) return; // every such event follows the job's submission; nothing to tell otherwise
  await tell(context, "timeline", {
    id: e.id,
    jobId,
    name,
    state: current.state,
    node: extra.node ?? null,
    amount: extra.amount ?? null,
    data: extra.data ? json(extra.data) : null,
    logIndex: e.log.logIndex,
    ...originOf(e),
  });
}

/** Updates a challenge row and its copy in the job's story. */
export async function updateChallenge(
  context: Context,
  jobId: bigint,
  id: string,
  set: Partial<typeof challenge.$inferInsert>,
) {
  await context.db.update(challenge, { id }).set(set);
  await context.db.update(jobStory, { jobId }).set((s) => ({
    challenges: s.challenges.map((c) => (c.id === id ? { ...c, ...json(set) } : c)),
  }));
}
