// /jobs (filtered, newest first, cursor pages) and /jobs/:id with its whole story: timeline, claims,
// results, challenges and payouts.

import { db } from "ponder:api";
import schema from "ponder:schema";
import type { Hono } from "hono";
import { and, desc, eq, lt, sql } from "ponder";
import { jobFilters } from "../filters.ts";
import { DEFAULT_PAGE, id64, notFound, page, parsePath, parseQuery } from "../query.ts";
import { send } from "../serialize.ts";

/** A drizzle condition. */
type SQL = NonNullable<ReturnType<typeof and>>;

/**
 * A job and its story (kept beside it by the handlers, src/story.ts) in one primary-key read, prepared once:
 * building the query is as costly as running it.
 */
const jobById = db
  .select()
  .from(schema.job)
  .innerJoin(schema.jobStory, eq(schema.jobStory.jobId, schema.job.id))
  .where(eq(schema.job.id, sql.placeholder("id")))
  .prepare("job_by_id");

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
    const [found] = await jobById.execute({ id });
    if (!found) notFound(`job ${id} does not exist (or is not indexed yet)`);
    const { jobId: _, ...story } = found.job_story;
    return send(c, { ...found.job, ...story });
  });
}
