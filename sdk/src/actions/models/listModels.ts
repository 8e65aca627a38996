import { type Address, isAddress } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import { checkId, checkPaging, invalid } from "../../client/checkInput.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { modelFromIndexer } from "../../client/fromIndexer.ts";
import { indexerListAll } from "../../client/indexer.ts";
import { scanEvents } from "../../client/scanEvents.ts";
import type { Model } from "./getModel.ts";

export type ListModelsParameters = {
  /** Only models this account registered. */
  owner?: Address;
  /** Only direct children of this model (0n: only models without a parent). */
  parentId?: bigint;
  /** Only models trained on this dataset. */
  datasetId?: bigint;
  /** Only published (true) or unpublished (false) models. */
  published?: boolean;
  /** Only models whose name contains this, case-insensitively. */
  name?: string;
  /** At most this many (after `offset`). */
  limit?: number;
  /** Skip this many matches first. */
  offset?: number;
};

/**
 * Registered models matching the filters, oldest first, from ModelRegistered events with their
 * ModelPublished events applied; from the indexer with `ctx.indexerUrl`, else a bounded scan
 * (`ctx.maxScanBlocks`): models registered before that window are not listed. Throws an Error naming the field for a malformed filter or paging.
 */
export async function listModels(ctx: ArthaReadContext, p: ListModelsParameters = {}): Promise<Model[]> {
  const action = "listModels";
  const page = checkPaging(action, p);
  if (p.owner !== undefined && !isAddress(p.owner, { strict: false })) {
    invalid(action, "owner", "a 20-byte hex address", p.owner);
  }
  // 0n is a valid filter here: models without a parent.
  const parentId =
    p.parentId === undefined ? undefined : p.parentId === 0n ? 0 : checkId(action, "parentId", p.parentId);
  const datasetId = p.datasetId === undefined ? undefined : BigInt(checkId(action, "datasetId", p.datasetId));
  if (p.name !== undefined && typeof p.name !== "string") invalid(action, "name", "a string", p.name);
  const name = p.name?.toLowerCase();
  const args: Record<string, unknown> = {};
  if (p.owner !== undefined) args.owner = p.owner;
  if (parentId !== undefined) args.parentId = parentId;
  const all = ctx.indexerUrl
    ? (
        await indexerListAll<Record<string, unknown>>(ctx, "/models", {
          owner: p.owner,
          parent: parentId,
          dataset: datasetId,
          published: p.published,
        })
      ).map(modelFromIndexer)
    : await scanModels(ctx, args);
  const models = all.filter(
    (m) =>
      (datasetId === undefined || m.datasetIds.includes(datasetId)) &&
      (p.published === undefined || m.published === p.published) &&
      (name === undefined || m.name.toLowerCase().includes(name)),
  );
  return page(models);
}

/**
 * Models from ModelRegistered events (filtered by indexed `args`: modelId, owner, parentId), oldest first,
 * with `published` from ModelPublished events (a publish always follows its registration, so it is in the
 * window whenever the registration is).
 */
export async function scanModels(
  ctx: ArthaReadContext,
  args: Record<string, unknown> = {},
): Promise<Model[]> {
  const address = ctx.deployment.contracts.modelRegistry;
  const [registered, published] = await Promise.all([
    scanEvents(ctx, {
      address,
      abi: modelRegistryAbi,
      eventName: "ModelRegistered",
      ...(Object.keys(args).length > 0 ? { args } : {}),
    }),
    scanEvents(ctx, { address, abi: modelRegistryAbi, eventName: "ModelPublished" }),
  ]);
  const isPublished = new Set(published.map((e) => e.args.modelId));
  return registered.map(({ args: a }) => ({
    id: BigInt(a.modelId),
    contentHash: a.contentHash,
    owner: a.owner,
    parentId: BigInt(a.parentId),
    published: isPublished.has(a.modelId),
    uri: a.uri,
    name: a.name,
    license: a.license,
    datasetIds: a.datasetIds.map(BigInt),
  }));
}
