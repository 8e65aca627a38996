// ModelRegistry: datasets, models (with their parent and datasets: the lineage edges) and checkpoints.
import { ponder } from "ponder:registry";
import { checkpoint, dataset, model, modelDataset } from "ponder:schema";
import { originOf } from "./origin.ts";

ponder.on("ModelRegistry:DatasetRegistered", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(dataset).values({
    id: BigInt(a.datasetId),
    owner: a.owner,
    contentHash: a.contentHash,
    uri: a.uri,
    size: a.size,
    license: a.license,
    policyFlags: BigInt(a.policyFlags),
    ...originOf(event),
  });
});

ponder.on("ModelRegistry:ModelRegistered", async ({ event, context }) => {
  const a = event.args;
  const modelId = BigInt(a.modelId);
  const datasetIds = a.datasetIds.map(BigInt);
  await context.db.insert(model).values({
    id: modelId,
    owner: a.owner,
    parentId: BigInt(a.parentId),
    contentHash: a.contentHash,
    uri: a.uri,
    name: a.name,
    license: a.license,
    published: false,
    datasetIds,
    ...originOf(event),
  });
  if (datasetIds.length > 0) {
    await context.db
      .insert(modelDataset)
      .values(datasetIds.map((datasetId) => ({ modelId, datasetId })))
      .onConflictDoNothing();
  }
});

ponder.on("ModelRegistry:ModelPublished", async ({ event, context }) => {
  await context.db.update(model, { id: BigInt(event.args.modelId) }).set({ published: true });
});

ponder.on("ModelRegistry:CheckpointAdded", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(checkpoint).values({
    id: `${a.checkpointId}`,
    source: "registry",
    registryId: BigInt(a.checkpointId),
    modelId: BigInt(a.modelId),
    jobId: a.jobId === 0n ? null : a.jobId,
    node: null,
    datasetId: null,
    contentHash: a.contentHash,
    uri: a.uri,
    step: a.step,
    ...originOf(event),
  });
});
