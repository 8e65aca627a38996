// Node side of getJobArtifacts: writes a job's verified outputs to disk.
import { constants } from "node:fs";
import { lstat, mkdir, open } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Hex } from "viem";
import type { ArthaReadContext } from "../../client/context.ts";
import { assertOutputPath } from "../../outputs/outputRoot.ts";
import { getJobArtifacts } from "./getJobArtifacts.ts";

export type SaveJobArtifactsParameters = {
  jobId: bigint;
  /** Directory to write the outputs under (created when missing); existing files of the same name are replaced. */
  dir: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
};

export type SavedJobArtifacts = {
  outputRoot: Hex;
  /** The absolute directory written to. */
  dir: string;
  files: { path: string; size: number }[];
};

/**
 * Downloads and verifies a job's outputs (see getJobArtifacts), then writes each file under `dir` at its
 * manifest path. Nothing is written unless every file verified. Paths that would leave `dir` ("..",
 * absolute paths) are refused, and so is writing through a symbolic link already inside `dir`.
 */
export async function saveJobArtifacts(
  ctx: ArthaReadContext,
  p: SaveJobArtifactsParameters,
): Promise<SavedJobArtifacts> {
  const { outputRoot, files } = await getJobArtifacts(ctx, p);
  const root = resolve(p.dir);
  // Every path is checked before the first write, so a bad one leaves the directory untouched.
  const targets = files.map((f) => artifactPath(root, f.path));
  await mkdir(root, { recursive: true });
  for (const [i, file] of files.entries()) {
    await makeParents(root, file.path);
    // O_NOFOLLOW: a symlink planted at the file's own name is refused, not written through.
    const handle = await open(
      targets[i]!,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
      0o644,
    ).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot write output ${file.path} to ${targets[i]}: ${error.code ?? error.message}`, {
        cause: error,
      });
    });
    try {
      await handle.writeFile(file.bytes);
    } finally {
      await handle.close();
    }
  }
  return { outputRoot, dir: root, files: files.map((f) => ({ path: f.path, size: f.bytes.length })) };
}

/**
 * Where output `path` goes under `dir`: throws unless it is a canonical relative path that stays inside
 * `dir` (no "..", ".", empty segments, absolute paths, and on Windows no backslashes or drive letters).
 */
export function artifactPath(dir: string, path: string): string {
  assertOutputPath(path);
  if (sep === "\\" && (path.includes("\\") || /^[A-Za-z]:/.test(path))) {
    throw new Error(`output path ${JSON.stringify(path)} is not a portable relative path`);
  }
  const root = resolve(dir);
  const target = resolve(root, ...path.split("/"));
  const rel = relative(root, target);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new Error(`output path ${JSON.stringify(path)} leads outside ${root}`);
  }
  return target;
}

/** Creates `path`'s parent directories under `root`, refusing any that exists as a symlink or a file. */
async function makeParents(root: string, path: string): Promise<void> {
  let at = root;
  for (const segment of path.split("/").slice(0, -1)) {
    at = join(at, segment);
    const stat = await lstat(at).catch(() => undefined);
    if (!stat) await mkdir(at);
    else if (!stat.isDirectory()) {
      throw new Error(
        `cannot write output ${path}: ${at} is ${stat.isSymbolicLink() ? "a symbolic link" : "not a directory"}`,
      );
    }
  }
}
