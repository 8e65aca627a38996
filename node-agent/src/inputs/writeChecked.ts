// Writes one input file from a stream of chunks, hashing and counting as it goes, so a file is refused
// at the first byte past its declared size or past the input's byte limit, not after the download.
import { createHash } from "node:crypto";
import { chmod, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "./inputError.ts";

/** Bytes an input may still use, shared by all its files. */
export type ByteBudget = { used: number; readonly max: number };

export type WriteCheckedOptions = {
  /** The input's URI, for messages. */
  uri: string;
  /** The file's path inside the input (manifest path), for messages. */
  path: string;
  budget: ByteBudget;
  /** What the manifest says the file is: checked while streaming (size) and at the end (sha256). */
  expect?: { size: number; sha256: string };
  signal?: AbortSignal | undefined;
};

/** Creates `file` (it must not exist) with the chunks of `source`; returns its size and sha256 (hex). */
export async function writeChecked(
  source: AsyncIterable<Uint8Array>,
  file: string,
  options: WriteCheckedOptions,
): Promise<{ size: number; sha256: string }> {
  const { uri, path, budget, expect } = options;
  const hash = createHash("sha256");
  let size = 0;
  // "wx": never write through something already there. 0o644: the job's user (uid 10001) reads inputs
  // through a bind mount, whatever the agent's umask.
  const handle = await open(file, "wx", 0o644);
  try {
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      size += chunk.length;
      budget.used += chunk.length;
      if (budget.used > budget.max) {
        throw new InputError(
          "too-large",
          uri,
          `input ${uri}: more than the limit of ${budget.max} bytes (at ${path}); the operator's maxInputBytes refuses it`,
          { path },
        );
      }
      if (expect && size > expect.size) {
        throw new InputError(
          "hash-mismatch",
          uri,
          `input ${uri}: file ${path} is longer than the ${expect.size} bytes its manifest entry declares`,
          { path },
        );
      }
      hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.chmod(0o644);
  } finally {
    await handle.close();
  }
  const sha256 = hash.digest("hex");
  if (expect && size !== expect.size) {
    throw new InputError(
      "hash-mismatch",
      uri,
      `input ${uri}: file ${path} is ${size} bytes; its manifest entry declares ${expect.size}`,
      { path },
    );
  }
  if (expect && sha256 !== expect.sha256) {
    throw new InputError(
      "hash-mismatch",
      uri,
      `input ${uri}: file ${path} has sha256 ${sha256}; its manifest entry declares ${expect.sha256}`,
      { path },
    );
  }
  return { size, sha256 };
}

/**
 * Creates the directories above `relPath` inside `root` (mode 0755 whatever the umask, so the job's user
 * can traverse them); `made` remembers what exists already.
 */
export async function makeParents(root: string, relPath: string, made: Set<string>): Promise<void> {
  const segments = relPath.split("/").slice(0, -1);
  let rel = "";
  for (const segment of segments) {
    rel = rel ? `${rel}/${segment}` : segment;
    if (made.has(rel)) continue;
    await mkdir(join(root, rel), { mode: 0o755 });
    await chmod(join(root, rel), 0o755);
    made.add(rel);
  }
}

/** Reads a whole (small) stream into memory; `tooLarge` builds the error thrown past `max` bytes. */
export async function readAll(
  source: AsyncIterable<Uint8Array>,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
