// Node side of the output root: walks an output directory into OutputEntry values and hashes each
// file as a stream (outputs can be large). The byte format itself lives in outputRoot.ts.
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import type { Hex } from "viem";
import {
  compareBytes,
  type OutputEntry,
  OutputRootError,
  outputManifest,
  outputRootOfManifest,
} from "./outputRoot.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const SLASH = Buffer.from("/");

/** A readable rendering of a path that may not be UTF-8: bytes that are not printable ASCII as \xNN. */
function describe(bytes: Buffer): string {
  let out = "";
  for (const b of bytes)
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  return out;
}

async function hashFile(path: Buffer): Promise<{ size: number; sha256: string }> {
  // O_NOFOLLOW: a file swapped for a symlink after the walk is refused, not followed.
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of file.createReadStream({ autoClose: false })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { size, sha256: hash.digest("hex") };
  } finally {
    await file.close();
  }
}

/**
 * Every regular file under `dir`, with its relative path, size and sha256. Rejects symlinks,
 * devices, sockets and FIFOs, names that are not UTF-8 and names with line breaks, each with an
 * OutputRootError naming the path. Empty directories contribute nothing.
 */
export async function readOutputEntries(dir: string): Promise<OutputEntry[]> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top?.isDirectory()) {
    throw new OutputRootError("not-a-directory", `output directory ${dir} is not a directory`, dir);
  }
  const entries: OutputEntry[] = [];
  const walk = async (abs: Buffer, rel: Buffer | undefined): Promise<void> => {
    const names = (await readdir(abs, { encoding: "buffer" })).sort(compareBytes);
    for (const name of names) {
      const relPath = rel ? Buffer.concat([rel, SLASH, name]) : name;
      const absPath = Buffer.concat([abs, SLASH, name]);
      let path: string;
      try {
        path = strictUtf8.decode(relPath);
      } catch {
        throw new OutputRootError(
          "non-utf8-name",
          `output ${describe(relPath)}: file name is not valid UTF-8`,
          describe(relPath),
        );
      }
      if (/[\n\r]/.test(path)) {
        throw new OutputRootError(
          "invalid-path",
          `output ${JSON.stringify(path)}: file name contains a line break (\\n or \\r)`,
          path,
        );
      }
      const stat = await lstat(absPath);
      if (stat.isSymbolicLink()) {
        throw new OutputRootError(
          "symlink",
          `output ${path} is a symbolic link; only regular files count`,
          path,
        );
      }
      if (stat.isDirectory()) {
        await walk(absPath, relPath);
      } else if (stat.isFile()) {
        entries.push({ path, ...(await hashFile(absPath)) });
      } else {
        const kind = stat.isFIFO()
          ? "a FIFO"
          : stat.isSocket()
            ? "a socket"
            : stat.isCharacterDevice() || stat.isBlockDevice()
              ? "a device"
              : "not a regular file";
        throw new OutputRootError(
          "special-file",
          `output ${path} is ${kind}; only regular files count`,
          path,
        );
      }
    }
  };
  await walk(Buffer.from(dir), undefined);
  return entries;
}

export interface DirectoryOutputRoot {
  readonly root: Hex;
  /** The exact bytes that were hashed, as text (UTF-8). */
  readonly manifest: string;
  readonly entries: readonly OutputEntry[];
}

/** The output root of a directory on disk (throws OutputRootError("no-outputs") when it has no file). */
export async function outputRootOfDirectory(dir: string): Promise<DirectoryOutputRoot> {
  const entries = await readOutputEntries(dir);
  if (entries.length === 0) {
    throw new OutputRootError("no-outputs", `no outputs: ${dir} holds no regular file`, dir);
  }
  const manifest = outputManifest(entries);
  return { root: outputRootOfManifest(manifest), manifest, entries };
}
