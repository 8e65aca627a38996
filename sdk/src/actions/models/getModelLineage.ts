import { type Address, getAddress, zeroAddress } from "viem";
import type { ArthaReadContext } from "../../client/context.ts";
import { lineageFromIndexer } from "../../client/fromIndexer.ts";
import { indexerGet } from "../../client/indexer.ts";
import { type Dataset, getDataset } from "../datasets/getDataset.ts";
import { getJobRecord, type JobRecord } from "../getJobRecord.ts";
import type { Checkpoint } from "./getCheckpoint.ts";
import { getModel, type Model } from "./getModel.ts";
import { scanCheckpoints } from "./listCheckpoints.ts";
import { scanModels } from "./listModels.ts";

/**
 * A vertex of a lineage graph. Ids are "<kind>:<key>": "model:3", "dataset:1", "checkpoint:2" (registry
 * checkpoint), "checkpoint:job-7" (output of train job 7), "job:7", "node:0xAbC…" (checksummed address).
 */
export type LineageNode =
  | { id: string; kind: "model"; model: Model }
  | { id: string; kind: "dataset"; dataset: Dataset }
  | { id: string; kind: "checkpoint"; checkpoint: Checkpoint }
  | { id: string; kind: "job"; jobId: bigint; job: JobRecord }
  | { id: string; kind: "node"; address: Address };

/**
 * How two vertices relate, read as "from <kind> to": model -parent-> its parent model, model -trainedOn->
 * dataset, job -trainedOn-> the dataset it trained on, checkpoint -checkpointOf-> model, checkpoint
 * -producedBy-> job, job -ranOn-> the node that ran it.
 */
export type LineageEdgeKind = "parent" | "trainedOn" | "checkpointOf" | "producedBy" | "ranOn";
export type LineageEdge = { from: string; to: string; kind: LineageEdgeKind };

export type GetModelLineageParameters = { modelId: bigint };

/** What a lineage graph is drawn from (however it was read: the chain or the indexer). */
export type LineageParts = {
  models: Model[];
  datasets: Dataset[];
  checkpoints: Checkpoint[];
  jobs: { jobId: bigint; job: JobRecord }[];
};

const modelKey = (id: bigint) => `model:${id}`;
const datasetKey = (id: bigint) => `dataset:${id}`;
const jobKey = (id: bigint) => `job:${id}`;
const checkpointKey = (c: Checkpoint) =>
  c.source === "registry" ? `checkpoint:${c.id}` : `checkpoint:job-${c.jobId}`;

/**
 * The lineage graph around a model: its ancestors (the parent chain, read from the registry), its
 * descendants (every model whose parent is the model or one of its descendants), the datasets each was
 * trained on, their checkpoints, and for checkpoints a job produced: the job (record via getJobRecord), the
 * dataset it trained on and the node that ran it. With `ctx.indexerUrl` the whole graph comes from the
 * indexer (drawn there by the same lineageGraph); without, descendants and checkpoints come from a bounded
 * event scan (`ctx.maxScanBlocks`). Throws "model <id> does not exist" for an unknown model.
 */
export async function getModelLineage(
  ctx: ArthaReadContext,
  p: GetModelLineageParameters,
): Promise<{ nodes: LineageNode[]; edges: LineageEdge[] }> {
  const root = await getModel(ctx, { modelId: p.modelId });
  if (ctx.indexerUrl) {
    const graph = await indexerGet<Parameters<typeof lineageFromIndexer>[0]>(
      ctx,
      `/models/${root.id}/lineage`,
    );
    return lineageFromIndexer(graph!);
  }
  const models: Model[] = [root];
  for (let m = root; m.parentId !== 0n; ) {
    m = await getModel(ctx, { modelId: m.parentId });
    models.unshift(m);
  }
  // A child's id is always above its parent's, so one pass in registration order finds every generation.
  const descendants = new Set([root.id]);
  for (const m of await scanModels(ctx)) {
    if (!descendants.has(m.id) && descendants.has(m.parentId)) {
      descendants.add(m.id);
      models.push(m);
    }
  }

  const checkpoints = await scanCheckpoints(
    ctx,
    models.map((m) => m.id),
  );
  const jobIds = [...new Set(checkpoints.filter((c) => c.jobId !== 0n).map((c) => c.jobId))];
  const jobs = await Promise.all(
    jobIds.map(async (jobId) => ({
      jobId,
      job: await getJobRecord(ctx.publicClient, { jobManager: ctx.deployment.contracts.jobManager, jobId }),
    })),
  );
  const datasetIds = new Set<bigint>();
  for (const m of models) for (const d of m.datasetIds) datasetIds.add(d);
  for (const { job } of jobs) if (job.datasetId !== 0) datasetIds.add(BigInt(job.datasetId));
  const datasets = await Promise.all(
    [...datasetIds].sort((a, b) => (a < b ? -1 : 1)).map((datasetId) => getDataset(ctx, { datasetId })),
  );

  return lineageGraph({ models, datasets, checkpoints, jobs });
}

/** The vertices and edges of a lineage from its parts; ids as LineageNode says. */
export function lineageGraph({ models, datasets, checkpoints, jobs }: LineageParts): {
  nodes: LineageNode[];
  edges: LineageEdge[];
} {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  for (const m of models) {
    nodes.push({ id: modelKey(m.id), kind: "model", model: m });
    if (m.parentId !== 0n) edges.push({ from: modelKey(m.id), to: modelKey(m.parentId), kind: "parent" });
    for (const d of m.datasetIds) edges.push({ from: modelKey(m.id), to: datasetKey(d), kind: "trainedOn" });
  }
  for (const d of datasets) nodes.push({ id: datasetKey(d.id), kind: "dataset", dataset: d });
  for (const c of checkpoints) {
    nodes.push({ id: checkpointKey(c), kind: "checkpoint", checkpoint: c });
    edges.push({ from: checkpointKey(c), to: modelKey(c.modelId), kind: "checkpointOf" });
    if (c.jobId !== 0n) edges.push({ from: checkpointKey(c), to: jobKey(c.jobId), kind: "producedBy" });
  }
  const machines = new Set<Address>();
  for (const { jobId, job } of jobs) {
    nodes.push({ id: jobKey(jobId), kind: "job", jobId, job });
    if (job.datasetId !== 0) {
      edges.push({ from: jobKey(jobId), to: datasetKey(BigInt(job.datasetId)), kind: "trainedOn" });
    }
    if (job.claimer !== zeroAddress) {
      const address = getAddress(job.claimer);
      machines.add(address);
      edges.push({ from: jobKey(jobId), to: `node:${address}`, kind: "ranOn" });
    }
  }
  for (const address of machines) nodes.push({ id: `node:${address}`, kind: "node", address });
  return { nodes, edges };
}
