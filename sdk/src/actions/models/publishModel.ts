import type { Hash } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import { checkId, requireExisting } from "../../client/checkInput.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";

export type PublishModelParameters = { modelId: bigint };

/**
 * Marks the wallet account's model as published (visible for others to build on); irreversible. Throws
 * "model <id> does not exist" before sending for an unknown id, and ArthaTxError when the contract refuses:
 * errorName "NotModelOwner" for someone else's model, "AlreadyPublished" for a second publish.
 */
export async function publishModel(
  ctx: ArthaWriteContext,
  p: PublishModelParameters,
): Promise<{ hash: Hash }> {
  const action = "publishModel";
  const modelId = checkId(action, "modelId", p.modelId);
  await requireExisting(ctx, action, "modelId", "model", [modelId]);
  const receipt = await sendTransaction(ctx, {
    label: action,
    address: ctx.deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "publish",
    args: [modelId],
  });
  return { hash: receipt.transactionHash };
}
