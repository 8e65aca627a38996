// /datasets, /models (filters, cursor pages in id order), one of each, and /models/:id/lineage: the whole
// graph around a model (ancestors, descendants, datasets, checkpoints, the jobs and nodes behind them),
// drawn by the SDK's lineageGraph so it is the same graph the SDK draws from the chain.

import { db } from "ponder:api";
import schema from "ponder:schema";
import { type Checkpoint, type Dataset, type JobRecord, lineageGraph, type Model } from "@arthaain/sdk";
import type { Hono } from "hono";
import { and, asc, eq, gt, inArray } from "ponder";
import type { Address, Hex } from "viem";
import { datasetFilters, modelFilters } from "../filters.ts";
import { DEFAULT_PAGE, id32, notFound, page, parsePath, parseQuery } from "../query.ts";
import { send } from "../serialize.ts";

/** A drizzle condition. */
type SQL = NonNullable<ReturnType<typeof and>>;

type ModelRow = typeof schema.model.$inferSelect;
type DatasetRow = typeof schema.dataset.$inferSelect;
type CheckpointRow = typeof schema.checkpoint.$inferSelect;

const toModel = (m: ModelRow): Model => ({
  id: m.id,
  contentHash: m.contentHash as Hex,
  owner: m.owner as Address,
  parentId: m.parentId,
  published: m.published,
  uri: m.uri,
  name: m.name,
  license: m.license,
  datasetIds: m.datasetIds,
});
const toDataset = (d: DatasetRow): Dataset => ({
  id: d.id,
  contentHash: d.contentHash as Hex,
  owner: d.owner as Address,
  size: d.size,
  policyFlags: Number(d.policyFlags),
  uri: d.uri,
  license: d.license,
});
const toCheckpoint = (c: CheckpointRow): Checkpoint =>
  c.source === "registry"
    ? {
        source: "registry",
        id: c.registryId!,
        modelId: c.modelId,
        contentHash: c.contentHash as Hex,
        uri: c.uri,
        step: c.step ?? 0n,
        jobId: c.jobId ?? 0n,
      }
    : {
        source: "job",
        modelId: c.modelId,
        contentHash: c.contentHash as Hex,
        uri: c.uri,
        jobId: c.jobId!,
        node: c.node as Address,
        datasetId: c.datasetId ?? 0n,
      };

async function getModelRow(id: bigint): Promise<ModelRow> {
  const [row] = await db.select().from(schema.model).where(eq(schema.model.id, id));
  if (!row) notFound(`model ${id} does not exist (or is not indexed yet)`);
  return row;
}

export function registryRoutes(app: Hono) {
  app.get("/datasets", async (c) => {
    const q = parseQuery(c, datasetFilters);
    const d = schema.dataset;
    const where: SQL[] = [];
    if (q.owner) where.push(eq(d.owner, q.owner));
    if (q.cursor !== undefined) where.push(gt(d.id, q.cursor));
    const size = q.limit ?? DEFAULT_PAGE;
    const rows = await db
      .select()
      .from(d)
      .where(and(...where))
      .orderBy(asc(d.id))
      .limit(size + 1);
    return send(
      c,
      page(rows, size, (r) => r.id),
    );
  });

  app.get("/datasets/:id", async (c) => {
    const id = parsePath(c, "id", id32("a dataset id"));
    parseQuery(c, {});
    const [row] = await db.select().from(schema.dataset).where(eq(schema.dataset.id, id));
    if (!row) notFound(`dataset ${id} does not exist (or is not indexed yet)`);
    const models = await db
      .select({ modelId: schema.modelDataset.modelId })
      .from(schema.modelDataset)
      .where(eq(schema.modelDataset.datasetId, id));
    return send(c, { ...row, modelIds: models.map((m) => m.modelId) });
  });

  app.get("/models", async (c) => {
    const q = parseQuery(c, modelFilters);
    const m = schema.model;
    const where: SQL[] = [];
    if (q.owner) where.push(eq(m.owner, q.owner));
    if (q.parent !== undefined) where.push(eq(m.parentId, q.parent));
    if (q.published !== undefined) where.push(eq(m.published, q.published));
    if (q.dataset !== undefined) {
      const trained = db
        .select({ id: schema.modelDataset.modelId })
        .from(schema.modelDataset)
        .where(eq(schema.modelDataset.datasetId, q.dataset));
      where.push(inArray(m.id, trained));
    }
    if (q.cursor !== undefined) where.push(gt(m.id, q.cursor));
    const size = q.limit ?? DEFAULT_PAGE;
    const rows = await db
      .select()
      .from(m)
      .where(and(...where))
      .orderBy(asc(m.id))
      .limit(size + 1);
    return send(
      c,
      page(rows, size, (r) => r.id),
    );
  });

  app.get("/models/:id", async (c) => {
    const id = parsePath(c, "id", id32("a model id"));
    parseQuery(c, {});
    const row = await getModelRow(id);
    const checkpoints = await db
      .select()
      .from(schema.checkpoint)
      .where(eq(schema.checkpoint.modelId, id))
      .orderBy(asc(schema.checkpoint.block));
    return send(c, { ...row, checkpoints });
  });

  app.get("/models/:id/lineage", async (c) => {
    const id = parsePath(c, "id", id32("a model id"));
    parseQuery(c, {});
    const root = await getModelRow(id);
    const models: ModelRow[] = [root];
    for (let m = root; m.parentId !== 0n; ) {
      m = await getModelRow(m.parentId);
      models.unshift(m);
    }
    // Descendants, a generation at a time.
    for (let generation = [root.id]; generation.length > 0; ) {
      const children = await db
        .select()
        .from(schema.model)
        .where(inArray(schema.model.parentId, generation))
        .orderBy(asc(schema.model.id));
      models.push(...children);
      generation = children.map((m) => m.id);
    }
    const modelIds = models.map((m) => m.id);
    const checkpoints = await db
      .select()
      .from(schema.checkpoint)
      .where(inArray(schema.checkpoint.modelId, modelIds))
      .orderBy(asc(schema.checkpoint.block));
    const jobIds = [...new Set(checkpoints.flatMap((ck) => (ck.jobId ? [ck.jobId] : [])))];
    const jobs = jobIds.length
      ? await db.select().from(schema.job).where(inArray(schema.job.id, jobIds))
      : [];
    const datasetIds = new Set<bigint>(models.flatMap((m) => m.datasetIds));
    for (const j of jobs) if (j.datasetId !== 0n) datasetIds.add(j.datasetId);
    const datasets = datasetIds.size
      ? await db
          .select()
          .from(schema.dataset)
          .where(inArray(schema.dataset.id, [...datasetIds]))
          .orderBy(asc(schema.dataset.id))
      : [];
    const graph = lineageGraph({
      models: models.map(toModel),
      datasets: datasets.map(toDataset),
      checkpoints: checkpoints.map(toCheckpoint),
      // The record as the contract emitted it (JSON: wide integers as strings); lineage reads two fields.
      jobs: jobs.map((j) => ({ jobId: j.id, job: j.record as unknown as JobRecord })),
    });
    return send(c, { modelId: id, ...graph });
  });
}
