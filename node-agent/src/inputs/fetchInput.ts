// Fetching a job's input (its model or dataset), verified against the on-chain content hash.
//
// Content hash of an input = its TREE ROOT, computed exactly like a job's output root
// (docs/runtime-contract.md §7, sdk/src/outputs): one manifest line per regular file,
//   <sha256 of the file, 64 lowercase hex> SP <size, decimal> SP <relative POSIX path> LF
// sorted by the paths' UTF-8 bytes, and the root is 0x + sha256 of the manifest's bytes.
// A URI naming a single file is the tree of that one file, its path being the file's basename
// (so a file `train.csv` hashes to sha256("<sha256(content)> <size> train.csv\n")).
// One definition for inputs and outputs means a job's output root is directly the content hash of a
// model built on it (a dependency's outputs are fetched like any directory input).
//
// The input is written to a temporary sibling of `dest` and renamed to `dest` only after its root
// matched, so `dest` either holds a verified input or does not exist, whatever fails or aborts.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { type OutputEntry, outputManifest, outputRootOfManifest } from "@arthaain/sdk";
import type { Hex } from "viem";
import { copyLocalInput } from "./copyLocalInput.ts";
import { downloadHttpInput } from "./downloadHttpInput.ts";
import { InputError } from "./inputError.ts";
import { parseInputUri } from "./parseInputUri.ts";

export type FetchInputParameters = {
  /** file:///abs/path (file or directory), http(s)://host/file, or http(s)://host/dir/ (a served manifest). */
  uri: string;
  /** The on-chain content hash (the tree root, see above). */
  contentHash: Hex;
  /** Directory to create with the input's files; must not exist yet. */
  dest: string;
  /** Largest total size accepted (the operator's maxInputBytes); default unlimited. */
  maxBytes?: number | undefined;
  signal?: AbortSignal | undefined;
  /** HTTP: longest silence tolerated (connect, headers, between chunks); default 30 s. */
  timeoutMs?: number | undefined;
  /** HTTP: redirects followed per request; default 5. */
  maxRedirects?: number | undefined;
  /** file://: when set, only paths inside these directories are read (keeps requesters out of the host). */
  fileRoots?: readonly string[] | undefined;
};

export type FetchInputResult = {
  /** `dest`, now holding the verified files. */
  dir: string;
  /** Total size of the files. */
  bytes: number;
  /** The tree root computed from what was written (equals the content hash). */
  root: Hex;
};

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** Materialises the input at `uri` as the directory `dest`, verified against `contentHash`. */
export async function fetchInput(parameters: FetchInputParameters): Promise<FetchInputResult> {
  const { uri, contentHash, dest, signal } = parameters;
  if (!BYTES32.test(contentHash)) {
    throw new TypeError(`fetchInput: contentHash ${JSON.stringify(contentHash)} is not 0x and 64 hex digits`);
  }
  const location = parseInputUri(uri);
  if (location.scheme === "data") {
    throw new InputError(
      "unsupported-scheme",
      uri,
      `input ${uri.slice(0, 40)}...: data: URIs carry specs only; expected file:// or http(s)://`,
    );
  }
  if (existsSync(dest)) {
    throw new InputError(
      "dest-exists",
      uri,
      `input ${uri}: destination ${dest} already exists; inputs are never merged into a directory`,
    );
  }
  signal?.throwIfAborted();
  await mkdir(dirname(dest), { recursive: true });
  const partial = `${dest}.partial-${randomBytes(6).toString("hex")}`;
  await mkdir(partial, { mode: 0o755 });
  await chmod(partial, 0o755); // the job's user must traverse it through the bind mount, whatever the umask
  try {
    const budget = { used: 0, max: parameters.maxBytes ?? Number.POSITIVE_INFINITY };
    let entries: OutputEntry[];
    if (location.scheme === "file") {
      entries = await copyLocalInput(location.path, partial, {
        uri,
        budget,
        fileRoots: parameters.fileRoots,
        signal,
      });
    } else {
      entries = await downloadHttpInput(location.url, location.directory, partial, {
        uri,
        contentHash,
        budget,
        timeoutMs: parameters.timeoutMs ?? 30_000,
        maxRedirects: parameters.maxRedirects ?? 5,
        signal,
      });
    }
    const root = outputRootOfManifest(outputManifest(entries));
    if (root !== contentHash.toLowerCase()) {
      throw new InputError(
        "hash-mismatch",
        uri,
        `input ${uri}: content root ${root} does not match the on-chain content hash ${contentHash}`,
      );
    }
    signal?.throwIfAborted();
    await rename(partial, dest);
    return { dir: dest, bytes: entries.reduce((n, e) => n + e.size, 0), root };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}
