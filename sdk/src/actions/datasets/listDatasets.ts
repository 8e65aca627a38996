import { type Address, isAddress } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import { checkPaging, invalid } from "../../client/checkInput.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { datasetFromIndexer } from "../../client/fromIndexer.ts";
import { indexerListAll } from "../../client/indexer.ts";
import { scanEvents } from "../../client/scanEvents.ts";
import type { Dataset } from "./getDataset.ts";

export type ListDatasetsParameters = {
  /** Only datasets this account registered. */
  owner?: Address;
  /** Only datasets under this license (SPDX ids compare case-insensitively). */
  license?: string;
  /** At most this many (after `offset`). */
  limit?: number;
  /** Skip this many matches first. */
  offset?: number;
};

/**
 * Registered datasets matching the filters, oldest first, from DatasetRegistered events (datasets never
 * change after registration, so the event is the whole record). With `ctx.indexerUrl` they come from the
 * indexer; without, from a bounded scan (`ctx.maxScanBlocks`), so datasets registered before that window
 * are not listed. Throws on a malformed
 * owner address or a negative/non-integer limit or offset.
 */
export async function listDatasets(
  ctx: ArthaReadContext,
  p: ListDatasetsParameters = {},
): Promise<Dataset[]> {
  const page = checkPaging("listDatasets", p);
  if (p.owner !== undefined && !isAddress(p.owner, { strict: false })) {
    invalid("listDatasets", "owner", "a 20-byte hex address", p.owner);
  }
  const license = p.license?.toLowerCase();
  const all = ctx.indexerUrl
    ? (await indexerListAll<Record<string, unknown>>(ctx, "/datasets", { owner: p.owner })).map(
        datasetFromIndexer,
      )
    : await scanDatasets(ctx, p.owner);
  return page(all.filter((d) => license === undefined || d.license.toLowerCase() === license));
}

/** Datasets from DatasetRegistered events (of `owner` only, if given), oldest first. */
async function scanDatasets(ctx: ArthaReadContext, owner?: Address): Promise<Dataset[]> {
  const logs = await scanEvents(ctx, {
    address: ctx.deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    eventName: "DatasetRegistered",
    ...(owner ? { args: { owner } } : {}),
  });
  return logs.map(
    ({ args: a }): Dataset => ({
      id: BigInt(a.datasetId),
      contentHash: a.contentHash,
      owner: a.owner,
      size: a.size,
      policyFlags: a.policyFlags,
      uri: a.uri,
      license: a.license,
    }),
  );
}
