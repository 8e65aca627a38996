import { jobManagerAbi, modelRegistryAbi } from "../../abi/generated.ts";
import { checkId, requireExisting } from "../../client/checkInput.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { checkpointFromIndexer } from "../../client/fromIndexer.ts";
import { indexerGet } from "../../client/indexer.ts";
import { scanEvents } from "../../client/scanEvents.ts";
import { JobKind } from "../../constants.ts";
import type { Checkpoint } from "./getCheckpoint.ts";

export type ListCheckpointsParameters = { modelId: bigint };

/**
 * Every checkpoint of a model, oldest first: those its owner added (CheckpointAdded) and the outputs of its
 * finalized train jobs (JobFinalized, with the producing job, node and dataset; the URI from the job's
 * ResultSubmitted). From the indexer with `ctx.indexerUrl`, else a bounded scan (`ctx.maxScanBlocks`):
 * older checkpoints are not listed. Throws if `modelId` is not a positive uint32 bigint, and "model <id> does not exist" for an
 * unknown model.
 */
export async function listCheckpoints(
  ctx: ArthaReadContext,
  p: ListCheckpointsParameters,
): Promise<Checkpoint[]> {
  const modelId = checkId("listCheckpoints", "modelId", p.modelId);
  await requireExisting(ctx, "listCheckpoints", "modelId", "model", [modelId]);
  return scanCheckpoints(ctx, [p.modelId]);
}

/** The checkpoints of several models in three scans at most, oldest first (shared with lineage). */
export async function scanCheckpoints(
  ctx: ArthaReadContext,
  modelIds: readonly bigint[],
): Promise<Checkpoint[]> {
  if (modelIds.length === 0) return [];
  if (ctx.indexerUrl) return checkpointsFromIndexer(ctx, modelIds);
  const wanted = new Set(modelIds);
  const { modelRegistry, jobManager } = ctx.deployment.contracts;
  const [added, finalized] = await Promise.all([
    scanEvents(ctx, {
      address: modelRegistry,
      abi: modelRegistryAbi,
      eventName: "CheckpointAdded",
      args: { modelId: modelIds.map(Number) },
    }),
    // A job's model is not an indexed topic of JobFinalized: filter here.
    scanEvents(ctx, { address: jobManager, abi: jobManagerAbi, eventName: "JobFinalized" }),
  ]);
  const trained = finalized.filter(
    (e) => e.args.job.kind === JobKind.Train && wanted.has(BigInt(e.args.job.modelId)),
  );
  const uris = new Map<bigint, string>();
  if (trained.length > 0) {
    const results = await scanEvents(ctx, {
      address: jobManager,
      abi: jobManagerAbi,
      eventName: "ResultSubmitted",
      args: { jobId: trained.map((e) => e.args.jobId) },
    });
    for (const r of results) uris.set(r.args.jobId, r.args.outputUri);
  }
  const dated: { block: bigint; index: number; checkpoint: Checkpoint }[] = [
    ...added.map((e) => ({
      block: e.blockNumber,
      index: e.logIndex,
      checkpoint: {
        source: "registry" as const,
        id: BigInt(e.args.checkpointId),
        modelId: BigInt(e.args.modelId),
        contentHash: e.args.contentHash,
        uri: e.args.uri,
        step: e.args.step,
        jobId: e.args.jobId,
      },
    })),
    ...trained.map((e) => ({
      block: e.blockNumber,
      index: e.logIndex,
      checkpoint: {
        source: "job" as const,
        modelId: BigInt(e.args.job.modelId),
        contentHash: e.args.job.outputRoot,
        uri: uris.get(e.args.jobId) ?? "",
        jobId: e.args.jobId,
        node: e.args.job.claimer,
        datasetId: BigInt(e.args.job.datasetId),
      },
    })),
  ];
  dated.sort((a, b) => (a.block === b.block ? a.index - b.index : a.block < b.block ? -1 : 1));
  return dated.map((d) => d.checkpoint);
}

/** The same from the indexer: each model's checkpoints, merged in chain order. */
async function checkpointsFromIndexer(
  ctx: ArthaReadContext,
  modelIds: readonly bigint[],
): Promise<Checkpoint[]> {
  type Row = Record<string, unknown> & { block: string };
  const models = await Promise.all(
    modelIds.map((id) => indexerGet<{ checkpoints: Row[] }>(ctx, `/models/${id}`, { allowMissing: true })),
  );
  const rows = models.flatMap((m) => m?.checkpoints ?? []);
  rows.sort((a, b) => (BigInt(a.block) < BigInt(b.block) ? -1 : BigInt(a.block) > BigInt(b.block) ? 1 : 0));
  return rows.map(checkpointFromIndexer);
}
