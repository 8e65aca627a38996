// The indexer's HTTP API, mounted by Ponder after its own /health, /ready, /status and /metrics: REST routes
// (routes/), GraphQL at /graphql and SQL over HTTP at /sql/*, as Ponder provides them, and the OpenAPI
// document of the REST routes at /openapi.json.

import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { client, graphql } from "ponder";
import { openapi } from "./openapi.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { registryRoutes } from "./routes/registry.ts";
import { statsRoutes } from "./routes/stats.ts";
import { streamRoutes } from "./routes/stream.ts";

const app = new Hono();
app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));
app.get("/openapi.json", (c) => c.json(openapi));
// Before /jobs/:id, so "events" is not read as a job id.
streamRoutes(app);
jobRoutes(app);
registryRoutes(app);
nodeRoutes(app);
statsRoutes(app);
app.onError((error, c) => {
  if (error instanceof HTTPException) return error.getResponse();
  console.error(error);
  return c.json({ error: "internal error", message: "the indexer failed to answer; see its log" }, 500);
});

export default app;
