import type { Address, Hex } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import { checkId, revertName } from "../../client/checkInput.ts";
import type { ArthaReadContext } from "../../client/context.ts";

/** A registered dataset: the registry's `Dataset` struct plus its id. */
export type Dataset = {
  id: bigint;
  /** sha256 (or output root) of the content; nodes check it before use. */
  contentHash: Hex;
  owner: Address;
  /** Size in bytes. */
  size: bigint;
  /** Usage flags operators' policies read (docs/contracts.md). */
  policyFlags: number;
  uri: string;
  /** SPDX id or license URI. */
  license: string;
};

export type GetDatasetParameters = { datasetId: bigint };

/**
 * Reads one dataset from the ModelRegistry. Throws if `datasetId` is not a positive uint32 bigint, and
 * "dataset <id> does not exist" for an id the registry has not issued.
 */
export async function getDataset(ctx: ArthaReadContext, p: GetDatasetParameters): Promise<Dataset> {
  const id = checkId("getDataset", "datasetId", p.datasetId);
  const address = ctx.deployment.contracts.modelRegistry;
  try {
    const d = await ctx.publicClient.readContract({
      address,
      abi: modelRegistryAbi,
      functionName: "getDataset",
      args: [id],
    });
    return { id: BigInt(id), ...d };
  } catch (error) {
    if (revertName(error) === "UnknownDataset") {
      throw new Error(`dataset ${id} does not exist in the registry at ${address}`);
    }
    throw error;
  }
}
