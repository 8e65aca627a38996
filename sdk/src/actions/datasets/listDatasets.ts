import { type Address, isAddress } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import { checkPaging, invalid } from "../../client/checkInput.ts";
import type { ArthaReadContext } from "../../client/context.ts";
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
 * change after registration, so the event is the whole record). Without an indexer this is a bounded scan
 * (`ctx.maxScanBlocks`), so datasets registered before that window are not listed. Throws on a malformed
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
  const logs = await scanEvents(ctx, {
    address: ctx.deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    eventName: "DatasetRegistered",
    ...(p.owner ? { args: { owner: p.owner } } : {}),
  });
  const license = p.license?.toLowerCase();
  const datasets = logs
    .map(
      ({ args: a }): Dataset => ({
        id: BigInt(a.datasetId),
        contentHash: a.contentHash,
        owner: a.owner,
        size: a.size,
        policyFlags: a.policyFlags,
        uri: a.uri,
        license: a.license,
      }),
    )
    .filter((d) => license === undefined || d.license.toLowerCase() === license);
  return page(datasets);
}
