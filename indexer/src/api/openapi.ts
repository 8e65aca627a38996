// The OpenAPI document of the REST routes, built from the same zod shapes the routes check their query
// parameters with, so the two cannot disagree. indexer/openapi.json is this document, checked in
// (`npm run indexer:openapi` rewrites it; a test fails when it is stale).
import { z } from "zod";
import { datasetFilters, jobFilters, modelFilters, nodeFilters } from "./filters.ts";

type Shape = z.ZodRawShape;

const described: Record<string, string> = {
  limit: "page size, 1 to 100 (default 20)",
  cursor: "the nextCursor of the previous page",
  state: "job state",
  kind: "job kind",
  requester: "the requester's address",
  node: "the claiming or assigned node's address",
  model: "model id",
  dataset: "dataset id",
  owner: "the owner's address",
  parent: "parent model id (0: models without a parent)",
  published: "published or not",
  active: "in the active set or not",
  minGpus: "at least this many GPUs",
  minVramGb: "at least this much VRAM per GPU, GB",
};

function queryParameters(shape: Shape) {
  return Object.entries(shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    description: described[name] ?? name,
    schema: (({ $schema: _, ...rest }) => rest)(
      z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }),
    ),
  }));
}

const pathParameter = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});

const json = (description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object" } } },
});
const errors = {
  "400": json("a parameter is unknown or malformed: { error, parameter, message }"),
  "404": json("no such object: { error, message }"),
};

const list = (summary: string, shape: Shape) => ({
  get: {
    summary,
    parameters: queryParameters(shape),
    responses: {
      "200": json("{ items, nextCursor }: a page, and the cursor of the next (null on the last)"),
      ...errors,
    },
  },
});
const one = (summary: string, parameter: [string, string], body: string) => ({
  get: {
    summary,
    parameters: [pathParameter(...parameter)],
    responses: { "200": json(body), ...errors },
  },
});
const events = (summary: string, parameters: object[]) => ({
  get: {
    summary,
    parameters,
    responses: {
      "200": {
        description: "text/event-stream of `job` events, each a timeline row; resumable with Last-Event-ID",
        content: { "text/event-stream": { schema: { type: "string" } } },
      },
      ...errors,
    },
  },
});

export const openapi = {
  openapi: "3.1.0",
  info: {
    title: "ArthaAIN indexer",
    version: "1",
    description:
      "Read APIs over the ArthaAIN contracts. Integers wider than 53 bits are decimal strings. GraphQL is at /graphql and SQL over HTTP at /sql; /health, /ready, /status and /metrics are Ponder's.",
  },
  paths: {
    "/datasets": list("datasets, in id order", datasetFilters),
    "/datasets/{id}": one("a dataset, with the models trained on it", ["id", "dataset id"], "the dataset"),
    "/models": list("models, in id order", modelFilters),
    "/models/{id}": one("a model, with its checkpoints", ["id", "model id"], "the model"),
    "/models/{id}/lineage": one(
      "the lineage graph around a model: ancestors, descendants, datasets, checkpoints, jobs, nodes",
      ["id", "model id"],
      "{ modelId, nodes, edges } (vertex and edge kinds as the SDK's getModelLineage)",
    ),
    "/jobs": list("jobs, newest first", jobFilters),
    "/jobs/{id}": one(
      "a job with its timeline, claims, results, challenges and payouts",
      ["id", "job id"],
      "the job",
    ),
    "/jobs/{id}/events": events("a job's timeline, live, ending after its terminal event", [
      pathParameter("id", "job id"),
    ]),
    "/jobs/events": events("every job's events from now on, live", []),
    "/nodes": list("registered nodes, in address order", nodeFilters),
    "/nodes/{address}": one("a node with its history", ["address", "operator address"], "the node"),
    "/stats": {
      get: {
        summary: "network statistics",
        parameters: [],
        responses: { "200": json("the figures"), ...errors },
      },
    },
  },
};
