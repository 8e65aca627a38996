// Where a job's spec document lives. A store is a plain object so it can be written in a config file or
// passed over the wire; `storeSpec` puts a spec there and returns the URI that goes on chain.
import type { Hex } from "viem";
import { canonicalSpecJson } from "../canonicalSpecJson.ts";
import type { JobSpec, JobSpecInput } from "../jobSpec.ts";
import { parseJobSpec } from "../parseJobSpec.ts";
import { specHash } from "../specHash.ts";

/**
 * - `inline`: the document itself as a `data:application/json;base64,…` URI; it travels in the submit
 *   calldata and the JobSubmitted event, so nothing needs hosting (small specs only, see INLINE_SPEC_MAX_BYTES).
 * - `directory`: `<dir>/<sha256 hex>.json`, referenced as file://; Node only, and only useful when the agents
 *   read the same filesystem (a devnet, a shared mount).
 * - `http`: `<baseUrl>/<sha256 hex>.json`; with `put: true` the document is uploaded there with HTTP PUT,
 *   otherwise publishing it is the caller's job.
 */
export type SpecStore =
  | { kind: "inline" }
  | { kind: "directory"; dir: string }
  | { kind: "http"; baseUrl: string; put?: boolean; headers?: Record<string, string> };

/** A spec as stored: the on-chain `specUri` and `specHash`, and the exact bytes the hash commits to. */
export type StoredSpec = {
  specUri: string;
  specHash: Hex;
  bytes: Uint8Array;
  /** The document as agents will parse it (defaults filled in). */
  spec: JobSpec;
};

/** A spec's canonical bytes, their hash and their parse, before they are stored anywhere. */
export type EncodedSpec = Omit<StoredSpec, "specUri">;

/**
 * Largest inline spec, in bytes of the document: every byte costs calldata and log gas (~24 gas each, twice),
 * and agents read the event, so a big inline spec taxes the whole network.
 */
export const INLINE_SPEC_MAX_BYTES = 8 * 1024;

const utf8 = new TextEncoder();

/**
 * Validates a spec (JobSpecError naming the field when it is wrong) and encodes it as canonical JSON, the
 * bytes a store keeps and `specHash` commits to. Pure: nothing is written.
 */
export function encodeSpec(spec: JobSpecInput | JobSpec): EncodedSpec {
  const bytes = utf8.encode(canonicalSpecJson(spec));
  // Parsed back from the bytes, as an agent will: what the caller gets is what runs.
  return { bytes, specHash: specHash(bytes), spec: parseJobSpec(bytes) };
}

/** The file name a spec is stored under in directory and http stores: its sha256, so names never collide. */
export function specFileName(hash: Hex): string {
  return `${hash.slice(2).toLowerCase()}.json`;
}
