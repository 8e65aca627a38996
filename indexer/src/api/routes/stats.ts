// /stats: the network in numbers, aggregated from the indexed tables when asked (always consistent with
// them, reorgs included).

import { db } from "ponder:api";
import schema from "ponder:schema";
import type { Hono } from "hono";
import { count, eq, sql, sum } from "ponder";
import { parseQuery } from "../query.ts";
import { send } from "../serialize.ts";

export function statsRoutes(app: Hono) {
  app.get("/stats", async (c) => {
    parseQuery(c, {});
    const n = schema.node;
    const [nodes, byState, registry, paid, head] = await Promise.all([
      db
        .select({
          registered: count(),
          active: sql<number>`count(*) filter (where ${n.active})`.mapWith(Number),
          totalStake: sum(n.stake),
        })
        .from(n),
      db.select({ state: schema.job.state, jobs: count() }).from(schema.job).groupBy(schema.job.state),
      Promise.all([
        db.select({ n: count() }).from(schema.dataset),
        db.select({ n: count() }).from(schema.model),
        db.select({ n: count() }).from(schema.checkpoint),
      ]),
      db
        .select({ volume: sum(schema.payout.amount), payouts: count() })
        .from(schema.payout)
        .where(eq(schema.payout.kind, "nodePayment")),
      db.select({ block: sql<string>`max(${schema.jobEvent.block})` }).from(schema.jobEvent),
    ]);
    const jobs = Object.fromEntries(byState.map((r) => [r.state, r.jobs]));
    return send(c, {
      nodes: {
        registered: nodes[0]!.registered,
        active: nodes[0]!.active,
        totalStake: BigInt(nodes[0]!.totalStake ?? 0),
      },
      jobs: { total: byState.reduce((a, r) => a + r.jobs, 0), byState: jobs },
      datasets: registry[0][0]!.n,
      models: registry[1][0]!.n,
      checkpoints: registry[2][0]!.n,
      /** Job prices paid to nodes, and how many jobs were paid. */
      paid: { volume: BigInt(paid[0]!.volume ?? 0), jobs: paid[0]!.payouts },
      lastJobEventBlock: head[0]?.block ?? null,
    });
  });
}
