// The indexer's JSON (wide integers as decimal strings, addresses lowercase) back into the SDK's types, so
// an action answers the same whether it read the chain or the indexer.
import { getAddress, type Hex } from "viem";
import type { Dataset } from "../actions/datasets/getDataset.ts";
import type { JobRecord } from "../actions/getJobRecord.ts";
import type { Checkpoint } from "../actions/models/getCheckpoint.ts";
import type { Model } from "../actions/models/getModel.ts";
import type { LineageEdge, LineageNode } from "../actions/models/getModelLineage.ts";

type Json = Record<string, unknown>;
const big = (v: unknown) => BigInt(v as string);
const address = (v: unknown) => getAddress(v as string);

export const datasetFromIndexer = (d: Json): Dataset => ({
  id: big(d.id),
  contentHash: d.contentHash as Hex,
  owner: address(d.owner),
  size: big(d.size),
  policyFlags: Number(d.policyFlags),
  uri: d.uri as string,
  license: d.license as string,
});

export const modelFromIndexer = (m: Json): Model => ({
  id: big(m.id),
  contentHash: m.contentHash as Hex,
  owner: address(m.owner),
  parentId: big(m.parentId),
  published: m.published as boolean,
  uri: m.uri as string,
  name: m.name as string,
  license: m.license as string,
  datasetIds: (m.datasetIds as string[]).map(big),
});

/** A checkpoint row of /models/:id, or a checkpoint vertex of a lineage graph. */
export function checkpointFromIndexer(c: Json): Checkpoint {
  if (c.source === "registry") {
    return {
      source: "registry",
      id: big(c.registryId ?? c.id),
      modelId: big(c.modelId),
      contentHash: c.contentHash as Hex,
      uri: c.uri as string,
      step: big(c.step ?? "0"),
      jobId: big(c.jobId ?? "0"),
    };
  }
  return {
    source: "job",
    modelId: big(c.modelId),
    contentHash: c.contentHash as Hex,
    uri: c.uri as string,
    jobId: big(c.jobId),
    node: address(c.node),
    datasetId: big(c.datasetId ?? "0"),
  };
}

export const jobRecordFromIndexer = (r: Json): JobRecord =>
  ({
    ...r,
    requester: address(r.requester),
    claimer: address(r.claimer),
    maxPrice: big(r.maxPrice),
    price: big(r.price),
  }) as JobRecord;

/** A lineage graph from the indexer's /models/:id/lineage. */
export function lineageFromIndexer(g: { nodes: Json[]; edges: LineageEdge[] }): {
  nodes: LineageNode[];
  edges: LineageEdge[];
} {
  const nodes = g.nodes.map((n): LineageNode => {
    const id = n.id as string;
    switch (n.kind) {
      case "model":
        return { id, kind: "model", model: modelFromIndexer(n.model as Json) };
      case "dataset":
        return { id, kind: "dataset", dataset: datasetFromIndexer(n.dataset as Json) };
      case "checkpoint":
        return { id, kind: "checkpoint", checkpoint: checkpointFromIndexer(n.checkpoint as Json) };
      case "job":
        return { id, kind: "job", jobId: big(n.jobId), job: jobRecordFromIndexer(n.job as Json) };
      default:
        return { id, kind: "node", address: address(n.address) };
    }
  });
  return { nodes, edges: g.edges };
}
