// /nodes (the registered nodes, filterable by activity and capability) and /nodes/:address with its
// history: registry events and job-side events (claims, payments, slashes), oldest first.

import { db } from "ponder:api";
import schema from "ponder:schema";
import type { Hono } from "hono";
import { and, asc, eq, gt, gte } from "ponder";
import { nodeFilters } from "../filters.ts";
import { address, DEFAULT_PAGE, notFound, page, parsePath, parseQuery } from "../query.ts";
import { send } from "../serialize.ts";

/** A drizzle condition. */
type SQL = NonNullable<ReturnType<typeof and>>;

export function nodeRoutes(app: Hono) {
  app.get("/nodes", async (c) => {
    const q = parseQuery(c, nodeFilters);
    const n = schema.node;
    const where: SQL[] = [];
    if (q.active !== undefined) where.push(eq(n.active, q.active));
    if (q.minGpus !== undefined) where.push(gte(n.gpuCount, q.minGpus));
    if (q.minVramGb !== undefined) where.push(gte(n.vramGbPerGpu, q.minVramGb));
    if (q.cursor) where.push(gt(n.address, q.cursor));
    const size = q.limit ?? DEFAULT_PAGE;
    const rows = await db
      .select()
      .from(n)
      .where(and(...where))
      .orderBy(asc(n.address))
      .limit(size + 1);
    return send(
      c,
      page(rows, size, (r) => r.address),
    );
  });

  app.get("/nodes/:address", async (c) => {
    const who = parsePath(c, "address", address);
    parseQuery(c, {});
    const [row] = await db.select().from(schema.node).where(eq(schema.node.address, who));
    if (!row) notFound(`${who} is not a registered node (or is not indexed yet)`);
    const history = await db
      .select()
      .from(schema.nodeEvent)
      .where(eq(schema.nodeEvent.node, who))
      .orderBy(asc(schema.nodeEvent.block), asc(schema.nodeEvent.id));
    return send(c, { ...row, history });
  });
}
