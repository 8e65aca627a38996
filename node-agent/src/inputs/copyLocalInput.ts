// file:// inputs: a file or a directory on this host, copied into the destination while hashing (the
// copy is what gets verified and mounted, so a source changed mid-copy cannot slip through).
import { constants } from "node:fs";
import { lstat, open, readdir, realpath, stat } from "node:fs/promises";
import { basename, join, sep } from "node:path";
import { assertOutputPath, type OutputEntry } from "@arthaain/sdk";
import { InputError } from "./inputError.ts";
import { type ByteBudget, makeParents, writeChecked } from "./writeChecked.ts";

export type CopyLocalInputOptions = {
  uri: string;
  budget: ByteBudget;
  /** When set, the path (symlinks resolved) must lie inside one of these directories. */
  fileRoots?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Copies the file or directory at `path` into the existing directory `into`; returns the tree's entries. */
export async function copyLocalInput(
  path: string,
  into: string,
  options: CopyLocalInputOptions,
): Promise<OutputEntry[]> {
  const { uri } = options;
  const top = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") {
      throw new InputError("not-found", uri, `input ${uri}: ${path} does not exist`);
    }
    throw new InputError("unreachable", uri, `input ${uri}: cannot read ${path} (${error.code})`, {
      cause: error,
    });
  });
  if (options.fileRoots) await assertInsideRoots(path, options.fileRoots, uri);

  const files: { abs: string; rel: string; size: number }[] = [];
  if (top.isFile()) {
    const name = basename(path);
    checkPath(name, uri);
    files.push({ abs: path, rel: name, size: top.size });
  } else if (top.isDirectory()) {
    await list(path, "", files, uri);
    if (files.length === 0) {
      throw new InputError("manifest-invalid", uri, `input ${uri}: directory ${path} holds no regular file`);
    }
  } else {
    throw new InputError(
      "manifest-invalid",
      uri,
      `input ${uri}: ${path} is neither a regular file nor a directory`,
    );
  }

  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > options.budget.max) {
    throw new InputError(
      "too-large",
      uri,
      `input ${uri}: ${total} bytes, more than the limit of ${options.budget.max}`,
    );
  }

  const made = new Set<string>();
  const entries: OutputEntry[] = [];
  for (const file of files) {
    await makeParents(into, file.rel, made);
    // O_NOFOLLOW: a file swapped for a symlink after the listing is refused, not followed.
    const source = await open(file.abs, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
      (error: NodeJS.ErrnoException) => {
        throw new InputError(
          "manifest-invalid",
          uri,
          `input ${uri}: cannot open ${file.rel} (${error.code})`,
          {
            path: file.rel,
            cause: error,
          },
        );
      },
    );
    try {
      const written = await writeChecked(
        source.createReadStream({ autoClose: false }),
        join(into, file.rel),
        {
          uri,
          path: file.rel,
          budget: options.budget,
          signal: options.signal,
        },
      );
      entries.push({ path: file.rel, ...written });
    } finally {
      await source.close();
    }
  }
  return entries;
}

async function list(
  dir: string,
  rel: string,
  out: { abs: string; rel: string; size: number }[],
  uri: string,
) {
  for (const raw of await readdir(dir, { encoding: "buffer" })) {
    let name: string;
    try {
      name = strictUtf8.decode(raw);
    } catch {
      throw new InputError(
        "manifest-invalid",
        uri,
        `input ${uri}: a name under ${rel || "."} is not valid UTF-8`,
      );
    }
    const relPath = rel ? `${rel}/${name}` : name;
    const abs = join(dir, name);
    const s = await lstat(abs);
    if (s.isSymbolicLink()) {
      throw new InputError(
        "manifest-invalid",
        uri,
        `input ${uri}: ${relPath} is a symbolic link; inputs hold regular files only`,
        {
          path: relPath,
        },
      );
    }
    if (s.isDirectory()) {
      await list(abs, relPath, out, uri);
    } else if (s.isFile()) {
      checkPath(relPath, uri);
      out.push({ abs, rel: relPath, size: s.size });
    } else {
      throw new InputError(
        "manifest-invalid",
        uri,
        `input ${uri}: ${relPath} is not a regular file (a device, socket or FIFO)`,
        {
          path: relPath,
        },
      );
    }
  }
}

function checkPath(rel: string, uri: string) {
  try {
    assertOutputPath(rel);
  } catch (error) {
    throw new InputError("manifest-invalid", uri, `input ${uri}: ${(error as Error).message}`, {
      path: rel,
      cause: error,
    });
  }
}

async function assertInsideRoots(path: string, roots: readonly string[], uri: string) {
  const real = await realpath(path);
  for (const root of roots) {
    const r = await realpath(root).catch(() => undefined);
    if (r && (real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) return;
  }
  throw new InputError(
    "bad-uri",
    uri,
    `input ${uri}: ${real} is outside the directories file:// inputs may come from (${roots.join(", ")})`,
  );
}
