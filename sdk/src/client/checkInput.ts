// Input checks shared by the dataset and model actions: each names the action, the field and what was
// expected, so a bad call fails before any transaction (and before a raw revert) with a message to act on.
import { BaseError, ContractFunctionRevertedError, type Hex, isHex } from "viem";
import { modelRegistryAbi } from "../abi/generated.ts";
import type { ArthaReadContext } from "./context.ts";

export const UINT32_MAX = 2n ** 32n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
/** The registry's MAX_MODEL_DATASETS. */
export const MAX_MODEL_DATASETS = 32;

function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return String(value);
}

/** Throws `<action>: <field> must be <expected>, got <value>`. */
export function invalid(action: string, field: string, expected: string, got: unknown): never {
  throw new Error(`${action}: ${field} must be ${expected}, got ${show(got)}`);
}

/** A content hash: 32 bytes of hex, not all zero (the registry refuses a zero hash). */
export function checkContentHash(action: string, field: string, value: unknown): Hex {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66) {
    invalid(action, field, "32 bytes of hex (0x followed by 64 hex digits)", value);
  }
  if (/^0x0{64}$/.test(value)) invalid(action, field, "a non-zero hash", value);
  return value as Hex;
}

/** A string that must not be empty (uri, name). */
export function checkNonEmpty(action: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) invalid(action, field, "a non-empty string", value);
  return value;
}

/** A string that may be empty (license). */
export function checkString(action: string, field: string, value: unknown): string {
  if (typeof value !== "string") invalid(action, field, "a string", value);
  return value;
}

/** An unsigned integer bigint within `max` (and at least `min`). */
export function checkUint(action: string, field: string, value: unknown, max: bigint, min = 0n): bigint {
  if (typeof value !== "bigint" || value < min || value > max) {
    invalid(action, field, `a bigint from ${min} to ${max}`, value);
  }
  return value;
}

/** A registry id (uint32, from 1), as the number the contract's ABI takes. */
export function checkId(action: string, field: string, value: unknown): number {
  return Number(checkUint(action, field, value, UINT32_MAX, 1n));
}

/** Paging of a list: `offset` (default 0) items skipped, then at most `limit` (default all). */
export function checkPaging(action: string, p: { limit?: number; offset?: number }) {
  const { limit, offset = 0 } = p;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    invalid(action, "limit", "a non-negative integer", limit);
  }
  if (!Number.isSafeInteger(offset) || offset < 0)
    invalid(action, "offset", "a non-negative integer", offset);
  return <T>(items: T[]): T[] => items.slice(offset, limit === undefined ? undefined : offset + limit);
}

/** The custom error a call reverted with, if it was one the ABI names. */
export function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

/**
 * Throws unless every id exists in the registry: ids are never removed, so an id exists iff it is at most
 * the registry's count. `kind` picks the count: "model" (modelCount) or "dataset" (datasetCount).
 */
export async function requireExisting(
  ctx: ArthaReadContext,
  action: string,
  field: string,
  kind: "model" | "dataset",
  ids: readonly number[],
): Promise<void> {
  if (ids.length === 0) return;
  const count = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: kind === "model" ? "modelCount" : "datasetCount",
  });
  const missing = ids.find((id) => id > count);
  if (missing !== undefined) {
    throw new Error(
      `${action}: ${field}: ${kind} ${missing} does not exist (the registry has ${count} ${kind}s)`,
    );
  }
}
