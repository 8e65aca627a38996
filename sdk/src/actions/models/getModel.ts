import type { Address, Hex } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import { checkId, revertName } from "../../client/checkInput.ts";
import type { ArthaReadContext } from "../../client/context.ts";

/** A registered model: the registry's `Model` struct plus its id; ids as bigints, 0n meaning none. */
export type Model = {
  id: bigint;
  contentHash: Hex;
  owner: Address;
  /** The model it was derived from; 0n for none. */
  parentId: bigint;
  /** Published models are visible for others to build on; publishing is irreversible. */
  published: boolean;
  uri: string;
  name: string;
  license: string;
  /** The datasets it was trained on. */
  datasetIds: bigint[];
};

export type GetModelParameters = { modelId: bigint };

/**
 * Reads one model, with its lineage pointers (parent, training datasets), from the ModelRegistry. Throws if
 * `modelId` is not a positive uint32 bigint, and "model <id> does not exist" for an id not yet issued.
 */
export async function getModel(ctx: ArthaReadContext, p: GetModelParameters): Promise<Model> {
  const id = checkId("getModel", "modelId", p.modelId);
  const address = ctx.deployment.contracts.modelRegistry;
  try {
    const m = await ctx.publicClient.readContract({
      address,
      abi: modelRegistryAbi,
      functionName: "getModel",
      args: [id],
    });
    return {
      id: BigInt(id),
      contentHash: m.contentHash,
      owner: m.owner,
      parentId: BigInt(m.parentId),
      published: m.published,
      uri: m.uri,
      name: m.name,
      license: m.license,
      datasetIds: m.datasetIds.map(BigInt),
    };
  } catch (error) {
    if (revertName(error) === "UnknownModel") {
      throw new Error(`model ${id} does not exist in the registry at ${address}`);
    }
    throw error;
  }
}
