// Server-sent events: a job's timeline as it grows (/jobs/:id/events, from its submission, ending after its
// terminal event's transaction) and every job's events from now on (/jobs/events). Each SSE event is a
// timeline row, `id:` its event id: a client reconnecting with Last-Event-ID resumes after it. Rows are read
// every POLL_MS from the indexed tables, so what streams is what the routes serve.

import { db } from "ponder:api";
import schema from "ponder:schema";
import { JobState, jobStateLabel, terminalJobStates } from "@arthaain/sdk";
import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { and, asc, desc, eq, gt, or, replaceBigInts } from "ponder";
import { id64, notFound, parsePath, parseQuery } from "../query.ts";

/** A drizzle condition. */
type SQL = NonNullable<ReturnType<typeof and>>;

const POLL_MS = 250;
const PAGE = 500;
const terminal = new Set<string>(terminalJobStates.map((s) => jobStateLabel(JobState[s])));

type Row = typeof schema.jobEvent.$inferSelect;
type Position = Pick<Row, "block" | "logIndex">;
const e = schema.jobEvent;

/** Rows after `p`: a later block, or the same block and a later log. */
const after = (p: Position): SQL =>
  or(gt(e.block, p.block), and(eq(e.block, p.block), gt(e.logIndex, p.logIndex)))!;

async function rowById(id: string | undefined): Promise<Position | undefined> {
  if (!id) return undefined;
  const [row] = await db.select().from(e).where(eq(e.id, id));
  return row;
}

/**
 * Streams timeline rows matching `filter` after `start`; with `endOnTerminal`, stops after a terminal one and
 * the rest of its transaction.
 */
function follow(c: Context, filter: SQL | undefined, start: Position | undefined, endOnTerminal: boolean) {
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    let last = start;
    let endTx: string | undefined;
    while (open) {
      let rows: Row[];
      try {
        rows = await db
          .select()
          .from(e)
          .where(and(...(filter ? [filter] : []), ...(last ? [after(last)] : [])))
          .orderBy(asc(e.block), asc(e.logIndex))
          .limit(PAGE);
      } catch {
        return; // the server is shutting down
      }
      for (const row of rows) {
        // The rest of the terminal event's transaction belongs to the story too (a verdict's JobVerified is
        // followed by JobFinalized and DisputeResolved): the stream ends after it.
        if (endTx && row.tx !== endTx) return;
        await stream.writeSSE({
          id: row.id,
          event: "job",
          data: JSON.stringify(replaceBigInts(row, (v) => v.toString())),
        });
        last = row;
        if (endOnTerminal && !endTx && terminal.has(row.state)) endTx = row.tx;
      }
      // A transaction's rows are indexed together: a short page after the terminal one holds all of them.
      if (endTx && rows.length < PAGE) return;
      await stream.sleep(POLL_MS);
    }
  });
}

export function streamRoutes(app: Hono) {
  app.get("/jobs/events", async (c) => {
    parseQuery(c, {});
    const resume = await rowById(c.req.header("last-event-id"));
    const [newest] = resume
      ? [resume]
      : await db.select().from(e).orderBy(desc(e.block), desc(e.logIndex)).limit(1);
    return follow(c, undefined, newest, false);
  });

  app.get("/jobs/:id/events", async (c) => {
    const id = parsePath(c, "id", id64("a job id"));
    parseQuery(c, {});
    const [job] = await db.select({ id: schema.job.id }).from(schema.job).where(eq(schema.job.id, id));
    if (!job) notFound(`job ${id} does not exist (or is not indexed yet)`);
    return follow(c, eq(e.jobId, id), await rowById(c.req.header("last-event-id")), true);
  });
}
