import { type Hash, type Hex, isAddressEqual, parseEventLogs } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import {
  checkContentHash,
  checkId,
  checkNonEmpty,
  checkString,
  invalid,
  MAX_MODEL_DATASETS,
  requireExisting,
} from "../../client/checkInput.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";

export type RegisterModelParameters = {
  /** Content hash of the model files: 32 bytes, non-zero. */
  contentHash: Hex;
  /** Where to fetch them. */
  uri: string;
  name: string;
  license: string;
  /** The model this one derives from; omit (or 0n) for none. */
  parentId?: bigint;
  /** The datasets it was trained on (at most 32, each registered). */
  datasetIds: bigint[];
};

/**
 * Registers a model owned by the wallet's account, with its parent and training datasets as lineage, and
 * returns its id from the ModelRegistered event of the receipt. Throws an Error naming the field before
 * sending for bad input, including "model <id> does not exist" / "dataset <id> does not exist" for an
 * unknown parent or dataset, and ArthaTxError if the contract refuses or the transaction fails.
 */
export async function registerModel(
  ctx: ArthaWriteContext,
  p: RegisterModelParameters,
): Promise<{ modelId: bigint; hash: Hash }> {
  const action = "registerModel";
  const contentHash = checkContentHash(action, "contentHash", p.contentHash);
  const uri = checkNonEmpty(action, "uri", p.uri);
  const name = checkNonEmpty(action, "name", p.name);
  const license = checkString(action, "license", p.license);
  const parentId =
    p.parentId === undefined || p.parentId === 0n ? 0 : checkId(action, "parentId", p.parentId);
  if (!Array.isArray(p.datasetIds) || p.datasetIds.length > MAX_MODEL_DATASETS) {
    invalid(action, "datasetIds", `an array of at most ${MAX_MODEL_DATASETS} dataset ids`, p.datasetIds);
  }
  const datasetIds = p.datasetIds.map((id, i) => checkId(action, `datasetIds[${i}]`, id));
  const address = ctx.deployment.contracts.modelRegistry;
  await Promise.all([
    requireExisting(ctx, action, "parentId", "model", parentId ? [parentId] : []),
    requireExisting(ctx, action, "datasetIds", "dataset", datasetIds),
  ]);
  const receipt = await sendTransaction(ctx, {
    label: action,
    address,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args: [{ contentHash, uri, name, license, parentId, datasetIds }],
  });
  const [event] = parseEventLogs({
    abi: modelRegistryAbi,
    eventName: "ModelRegistered",
    logs: receipt.logs.filter((l) => isAddressEqual(l.address, address)),
  });
  if (!event)
    throw new Error(`${action}: transaction ${receipt.transactionHash} has no ModelRegistered event`);
  return { modelId: BigInt(event.args.modelId), hash: receipt.transactionHash };
}
