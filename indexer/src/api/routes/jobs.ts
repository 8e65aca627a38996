// /jobs (filtered, newest first, cursor pages) and /jobs/:id with its whole story: timeline, claims,
// results, challenges and payouts.

import { db } from "ponder:api";
import schema from "ponder:schema";
import type { Hono } from "hono";
import { and, asc, desc, eq, lt } from "ponder";
import { jobFilters } from "../filters.ts";
import { DEFAULT_PAGE, id64, notFound, page, parsePath, parseQuery } from "../query.ts";
import { send } from "../serialize.ts";

/** A drizzle condition. */
type SQL = NonNullable<ReturnType<typeof and>>;

export function jobRoutes(app: Hono) {
  app.get("/jobs", async (c) => {
    const q = parseQuery(c, jobFilters);
    const j = schema.job;
    const where: SQL[] = [];
    if (q.state) where.push(eq(j.state, q.state));
    if (q.kind) where.push(eq(j.kind, q.kind));
    if (q.requester) where.push(eq(j.requester, q.requester));
    if (q.node) where.push(eq(j.node, q.node));
    if (q.model !== undefined) where.push(eq(j.modelId, q.model));
    if (q.dataset !== undefined) where.push(eq(j.datasetId, q.dataset));
    if (q.cursor !== undefined) where.push(lt(j.id, q.cursor));
    const size = q.limit ?? DEFAULT_PAGE;
    const rows = await db
      .select()
      .from(j)
      .where(and(...where))
      .orderBy(desc(j.id))
      .limit(size + 1);
    return send(
      c,
      page(rows, size, (r) => r.id),
    );
  });

  app.get("/jobs/:id", async (c) => {
    const id = parsePath(c, "id", id64("a job id"));
    parseQuery(c, {});
    // Six small indexed queries at once (each a short plan; faster than one nested JSON aggregation).
    const [[row], timeline, claims, results, challenges, payouts] = await Promise.all([
      db.select().from(schema.job).where(eq(schema.job.id, id)),
      db
        .select()
        .from(schema.jobEvent)
        .where(eq(schema.jobEvent.jobId, id))
        .orderBy(asc(schema.jobEvent.block), asc(schema.jobEvent.logIndex)),
      db
        .select()
        .from(schema.claim)
        .where(eq(schema.claim.jobId, id))
        .orderBy(asc(schema.claim.block), asc(schema.claim.id)),
      db.select().from(schema.result).where(eq(schema.result.jobId, id)).orderBy(asc(schema.result.block)),
      db
        .select()
        .from(schema.challenge)
        .where(eq(schema.challenge.jobId, id))
        .orderBy(asc(schema.challenge.block)),
      db
        .select()
        .from(schema.payout)
        .where(eq(schema.payout.jobId, id))
        .orderBy(asc(schema.payout.block), asc(schema.payout.id)),
    ]);
    if (!row) notFound(`job ${id} does not exist (or is not indexed yet)`);
    return send(c, { ...row, timeline, claims, results, challenges, payouts });
  });
}
