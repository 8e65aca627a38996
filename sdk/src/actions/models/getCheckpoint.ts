import type { Address, Hex } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import { checkId, revertName } from "../../client/checkInput.ts";
import type { ArthaReadContext } from "../../client/context.ts";

/** A checkpoint the model's owner added to the registry (`addCheckpoint`): the contract's struct plus id. */
export type RegistryCheckpoint = {
  source: "registry";
  id: bigint;
  modelId: bigint;
  contentHash: Hex;
  uri: string;
  /** Training step it was taken at. */
  step: bigint;
  /** Reserved by the registry for checkpoints imported from jobs; 0n for checkpoints added by an owner. */
  jobId: bigint;
};

/**
 * The output of a finalized train job: a checkpoint of the job's model that the registry does not copy
 * (AIJobManager.jobCheckpoint reads it from the job's record), so it has no registry id or step.
 */
export type JobCheckpoint = {
  source: "job";
  modelId: bigint;
  /** The job's output root. */
  contentHash: Hex;
  /** The output URI the node submitted with its result; "" if that event is older than the scan window. */
  uri: string;
  /** The train job that produced it. */
  jobId: bigint;
  /** The node that ran the job (its assigned claimer). */
  node: Address;
  /** The dataset the job trained on; 0n for none. */
  datasetId: bigint;
};

/** A checkpoint of a model: added by its owner, or produced by a finalized train job. */
export type Checkpoint = RegistryCheckpoint | JobCheckpoint;

export type GetCheckpointParameters = { checkpointId: bigint };

/**
 * Reads one registry checkpoint by id. Throws if `checkpointId` is not a positive uint32 bigint, and
 * "checkpoint <id> does not exist" for an id not issued. (Job outputs have no registry id: see
 * listCheckpoints.)
 */
export async function getCheckpoint(
  ctx: ArthaReadContext,
  p: GetCheckpointParameters,
): Promise<RegistryCheckpoint> {
  const id = checkId("getCheckpoint", "checkpointId", p.checkpointId);
  const address = ctx.deployment.contracts.modelRegistry;
  try {
    const c = await ctx.publicClient.readContract({
      address,
      abi: modelRegistryAbi,
      functionName: "getCheckpoint",
      args: [id],
    });
    return {
      source: "registry",
      id: BigInt(id),
      modelId: BigInt(c.modelId),
      contentHash: c.contentHash,
      uri: c.uri,
      step: c.step,
      jobId: c.jobId,
    };
  } catch (error) {
    if (revertName(error) === "UnknownCheckpoint") {
      throw new Error(`checkpoint ${id} does not exist in the registry at ${address}`);
    }
    throw error;
  }
}
