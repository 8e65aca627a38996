import { type Hash, type Hex, isAddressEqual, parseEventLogs } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import {
  checkContentHash,
  checkId,
  checkNonEmpty,
  checkUint,
  requireExisting,
  UINT64_MAX,
} from "../../client/checkInput.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";

export type AddCheckpointParameters = {
  modelId: bigint;
  /** Content hash of the checkpoint files: 32 bytes, non-zero. */
  contentHash: Hex;
  /** Where to fetch them. */
  uri: string;
  /** Training step it was taken at (uint64). */
  step: bigint;
};

/**
 * Adds a checkpoint to the wallet account's model and returns its id from the CheckpointAdded event of the
 * receipt. Throws an Error naming the field before sending for bad input or "model <id> does not exist",
 * and ArthaTxError when the contract refuses (errorName "NotModelOwner" for someone else's model).
 */
export async function addCheckpoint(
  ctx: ArthaWriteContext,
  p: AddCheckpointParameters,
): Promise<{ checkpointId: bigint; hash: Hash }> {
  const action = "addCheckpoint";
  const modelId = checkId(action, "modelId", p.modelId);
  const contentHash = checkContentHash(action, "contentHash", p.contentHash);
  const uri = checkNonEmpty(action, "uri", p.uri);
  const step = checkUint(action, "step", p.step, UINT64_MAX);
  const address = ctx.deployment.contracts.modelRegistry;
  await requireExisting(ctx, action, "modelId", "model", [modelId]);
  const receipt = await sendTransaction(ctx, {
    label: action,
    address,
    abi: modelRegistryAbi,
    functionName: "addCheckpoint",
    args: [modelId, contentHash, uri, step],
  });
  const [event] = parseEventLogs({
    abi: modelRegistryAbi,
    eventName: "CheckpointAdded",
    logs: receipt.logs.filter((l) => isAddressEqual(l.address, address)),
  });
  if (!event)
    throw new Error(`${action}: transaction ${receipt.transactionHash} has no CheckpointAdded event`);
  return { checkpointId: BigInt(event.args.checkpointId), hash: receipt.transactionHash };
}
