// Checking what a person typed before anything touches the chain: ids, counts, token amounts, digests,
// addresses, and the content (tree root and size) of a local file or directory being registered.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Address, type Hex, isAddress } from "viem";
import { outputRootOfDirectory } from "../outputs/outputRoot.node.ts";
import { outputRoot } from "../outputs/outputRoot.ts";

const quote = (v: unknown) => JSON.stringify(v ?? "");

/** A whole number in [min, max]. */
export function integer(what: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(value ?? "").trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`${what} ${quote(value)}: expected a whole number ${range}`);
  }
  return n;
}

/** A dataset, model or checkpoint id (uint32, from 1), as the SDK's actions take it. */
export const registryId = (what: string, value: unknown) => BigInt(integer(what, value, 1, 2 ** 32 - 1));

/** A job id (uint64, from 1). */
export function jobId(what: string, value: unknown): bigint {
  const text = String(value ?? "").trim();
  if (!/^\d+$/.test(text) || BigInt(text) < 1n || BigInt(text) >= 2n ** 64n) {
    throw new Error(`${what} ${quote(value)}: expected a job id, a whole number from 1`);
  }
  return BigInt(text);
}

/** A positive number (a learning rate). */
export function positive(what: string, value: unknown): number {
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new Error(`${what} ${quote(value)}: expected a number greater than 0, like 0.01`);
  }
  return n;
}

/** A comma-separated list: "x1,x2" → ["x1", "x2"]. */
export function list(what: string, value: unknown): string[] {
  const items = String(value ?? "")
    .split(",")
    .map((s) => s.trim());
  if (items.some((s) => s === ""))
    throw new Error(`${what} ${quote(value)}: expected a comma-separated list`);
  return items;
}

export function address(what: string, value: unknown): Address {
  if (typeof value !== "string" || !isAddress(value)) {
    throw new Error(`${what} ${quote(value)}: expected an address, 0x and 40 hex digits`);
  }
  return value;
}

/** An image digest as the chain holds it (bytes32), from `sha256:<hex>` (docker's form) or `0x<hex>`. */
export function imageDigest(what: string, value: unknown): Hex {
  const m = /^(?:sha256:|0x)([0-9a-fA-F]{64})$/.exec(String(value ?? "").trim());
  if (!m) {
    throw new Error(
      `${what} ${quote(value)}: expected an image digest, sha256: or 0x and 64 hex digits (docker image inspect --format '{{.Id}}')`,
    );
  }
  return `0x${m[1]!.toLowerCase()}`;
}

export function bytes32(what: string, value: unknown): Hex {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new Error(`${what} ${quote(value)}: expected 0x and 64 hex digits`);
  }
  return value.toLowerCase() as Hex;
}

/** The local path a file:// URI or plain path names; undefined for remote URIs (https://, ipfs://). */
export function localPath(uriOrPath: string): string | undefined {
  if (uriOrPath.startsWith("file://")) return fileURLToPath(uriOrPath);
  if (/^[a-z][a-z0-9+.-]*:/i.test(uriOrPath)) return undefined;
  return resolve(uriOrPath);
}

export type Content = { uri: string; contentHash: Hex; size: bigint };

/**
 * What a registration declares about its content. A local file or directory (a path, or a file:// URI) is
 * hashed here into its tree root (docs/node-agent.md, "Inputs and content hashes": a single file is the tree
 * of that file under its basename) and its URI becomes file://…, with a trailing / for a directory. A remote
 * URI needs --content-hash and --size, since nothing here can read it.
 */
export async function content(
  uriOrPath: string,
  o: { contentHash?: unknown; size?: unknown },
): Promise<Content> {
  const path = localPath(uriOrPath);
  if (path === undefined) {
    if (o.contentHash === undefined) {
      throw new Error(`${uriOrPath} is not local: give its tree root with --content-hash (and --size)`);
    }
    return {
      uri: uriOrPath,
      contentHash: bytes32("--content-hash", o.contentHash),
      size: BigInt(integer("--size", o.size ?? "", 1)),
    };
  }
  if (!existsSync(path)) throw new Error(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    const { root, entries } = await outputRootOfDirectory(path);
    const size = entries.reduce((sum, e) => sum + BigInt(e.size), 0n);
    return { uri: pathToFileURL(path).href.replace(/\/?$/, "/"), contentHash: checked(root, o), size };
  }
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const root = outputRoot([{ path: basename(path), size, sha256: hash.digest("hex") }]);
  return { uri: pathToFileURL(path).href, contentHash: checked(root, o), size: BigInt(size) };
}

/** A --content-hash given for local content must agree with what the files hash to. */
function checked(root: Hex, o: { contentHash?: unknown }): Hex {
  if (o.contentHash !== undefined && bytes32("--content-hash", o.contentHash) !== root) {
    throw new Error(`--content-hash ${o.contentHash} does not match the files, whose tree root is ${root}`);
  }
  return root;
}
