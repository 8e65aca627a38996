// The output root: the on-chain commitment to everything a job wrote under /artha/out.
// Byte format (docs/runtime-contract.md, "Output root"): one line per regular file,
//   <sha256 of content, 64 lowercase hex> SP <size, decimal> SP <relative POSIX path> LF
// sorted by the path's UTF-8 bytes; the root is 0x + sha256 of those bytes.
// This file is the pure part (no Node APIs), so browsers and verifiers compute the same thing;
// outputRoot.node.ts walks a directory and feeds it.
import { type Hex, sha256 } from "viem";

/** One regular file of an output directory. */
export interface OutputEntry {
  /** Relative POSIX path: `/` separators, no leading `./` or `/`, no `.`/`..` segments. */
  readonly path: string;
  /** Content length in bytes. */
  readonly size: number;
  /** sha256 of the content, 64 lowercase hex characters (no 0x). */
  readonly sha256: string;
}

export type OutputRootErrorCode =
  | "no-outputs"
  | "invalid-path"
  | "invalid-entry"
  | "duplicate-path"
  | "symlink"
  | "special-file"
  | "non-utf8-name"
  | "not-a-directory";

/** Why a set of outputs has no output root; `path` names the offending entry when there is one. */
export class OutputRootError extends Error {
  override readonly name = "OutputRootError";
  readonly code: OutputRootErrorCode;
  readonly path: string | undefined;
  // Plain fields, not parameter properties: Node's type stripping runs this file as is.
  constructor(code: OutputRootErrorCode, message: string, path?: string) {
    super(message);
    this.code = code;
    this.path = path;
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = new TextEncoder();

/** Throws OutputRootError("invalid-path") unless `path` is a canonical relative POSIX path. */
export function assertOutputPath(path: string): void {
  const fail = (why: string): never => {
    throw new OutputRootError("invalid-path", `output path ${JSON.stringify(path)}: ${why}`, path);
  };
  if (path.length === 0) fail("is empty");
  // A newline would let one entry forge a second manifest line.
  if (/[\n\r]/.test(path)) fail("contains a line break (\\n or \\r)");
  if (path.includes("\0")) fail("contains a NUL character");
  if (path.startsWith("/")) fail("is absolute; expected a path relative to the output directory");
  // Lone surrogates cannot be encoded as UTF-8, so two different strings would hash alike.
  if (LONE_SURROGATE.test(path)) fail("is not valid Unicode (lone surrogate)");
  for (const segment of path.split("/")) {
    if (segment === "") fail("has an empty segment (leading, trailing or doubled '/')");
    if (segment === "." || segment === "..") fail(`has a '${segment}' segment`);
  }
}

function assertEntry(entry: OutputEntry): void {
  assertOutputPath(entry.path);
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
    throw new OutputRootError(
      "invalid-entry",
      `output ${entry.path}: size ${entry.size} is not a non-negative integer`,
      entry.path,
    );
  }
  if (!SHA256_HEX.test(entry.sha256)) {
    throw new OutputRootError(
      "invalid-entry",
      `output ${entry.path}: sha256 ${JSON.stringify(entry.sha256)} is not 64 lowercase hex characters`,
      entry.path,
    );
  }
}

/** Orders byte strings lexicographically (memcmp), the manifest's order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/**
 * The canonical manifest of a set of outputs. Entries may come in any order; they are sorted by
 * the UTF-8 bytes of their paths (not by JavaScript string order, which is UTF-16, nor by locale).
 */
export function outputManifest(entries: readonly OutputEntry[]): string {
  if (entries.length === 0) {
    throw new OutputRootError("no-outputs", "no outputs: the output directory holds no regular file");
  }
  const keyed = entries.map((entry) => {
    assertEntry(entry);
    return { entry, key: utf8.encode(entry.path) };
  });
  keyed.sort((a, b) => compareBytes(a.key, b.key));
  const files = new Set(entries.map((e) => e.path));
  let manifest = "";
  for (let i = 0; i < keyed.length; i++) {
    const { entry } = keyed[i]!;
    if (i > 0 && keyed[i - 1]!.entry.path === entry.path) {
      throw new OutputRootError("duplicate-path", `output ${entry.path} is listed twice`, entry.path);
    }
    // A path cannot be both a file and a directory; entries that say so do not describe a tree.
    const segments = entry.path.split("/");
    for (let j = 1; j < segments.length; j++) {
      const parent = segments.slice(0, j).join("/");
      if (files.has(parent)) {
        throw new OutputRootError(
          "invalid-entry",
          `output ${entry.path} lies under ${parent}, which is listed as a file`,
          entry.path,
        );
      }
    }
    manifest += `${entry.sha256} ${entry.size} ${entry.path}\n`;
  }
  return manifest;
}

/** sha256 of the manifest's UTF-8 bytes, as a bytes32 hex string. */
export function outputRootOfManifest(manifest: string | Uint8Array): Hex {
  const bytes = typeof manifest === "string" ? utf8.encode(manifest) : manifest;
  return sha256(bytes);
}

/** The output root of a set of outputs (see the format above). */
export function outputRoot(entries: readonly OutputEntry[]): Hex {
  return outputRootOfManifest(outputManifest(entries));
}

/** sha256 of in-memory content as 64 lowercase hex characters, for building entries by hand. */
export function outputEntryOf(path: string, content: Uint8Array | string): OutputEntry {
  const bytes = typeof content === "string" ? utf8.encode(content) : content;
  return { path, size: bytes.length, sha256: sha256(bytes).slice(2) };
}
