import { type Hash, type Hex, isAddressEqual, parseEventLogs } from "viem";
import { modelRegistryAbi } from "../../abi/generated.ts";
import {
  checkContentHash,
  checkNonEmpty,
  checkString,
  checkUint,
  UINT32_MAX,
  UINT64_MAX,
} from "../../client/checkInput.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";

export type RegisterDatasetParameters = {
  /** sha256 (or output root) of the dataset's content: 32 bytes, non-zero. */
  contentHash: Hex;
  /** Where to fetch it (file://, https://, ipfs://). */
  uri: string;
  /** Size in bytes, > 0. */
  size: bigint;
  /** SPDX id or license URI. */
  license: string;
  /** Usage flags operators' policies read (uint32); default 0. */
  policyFlags?: number;
};

/**
 * Registers a dataset owned by the wallet's account and returns its id, read from the DatasetRegistered
 * event of the receipt (not from `datasetCount`, which another registration could move meanwhile).
 * Throws an Error naming the field for bad input (zero or malformed hash, empty uri, size 0, flags out of
 * uint32) before sending, and ArthaTxError if the contract refuses or the transaction fails.
 */
export async function registerDataset(
  ctx: ArthaWriteContext,
  p: RegisterDatasetParameters,
): Promise<{ datasetId: bigint; hash: Hash }> {
  const action = "registerDataset";
  const contentHash = checkContentHash(action, "contentHash", p.contentHash);
  const uri = checkNonEmpty(action, "uri", p.uri);
  const size = checkUint(action, "size", p.size, UINT64_MAX, 1n);
  const license = checkString(action, "license", p.license);
  const flags = p.policyFlags ?? 0;
  if (!Number.isInteger(flags) || flags < 0 || flags > Number(UINT32_MAX)) {
    throw new Error(`${action}: policyFlags must be an integer from 0 to ${UINT32_MAX}, got ${flags}`);
  }
  const address = ctx.deployment.contracts.modelRegistry;
  const receipt = await sendTransaction(ctx, {
    label: action,
    address,
    abi: modelRegistryAbi,
    functionName: "registerDataset",
    args: [contentHash, uri, size, license, flags],
  });
  const [event] = parseEventLogs({
    abi: modelRegistryAbi,
    eventName: "DatasetRegistered",
    logs: receipt.logs.filter((l) => isAddressEqual(l.address, address)),
  });
  if (!event)
    throw new Error(`${action}: transaction ${receipt.transactionHash} has no DatasetRegistered event`);
  return { datasetId: BigInt(event.args.datasetId), hash: receipt.transactionHash };
}
