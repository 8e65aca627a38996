// http(s):// inputs. A URI ending in "/" is a directory: GET <uri> returns its manifest, whose sha256
// must be the content hash before any file is fetched; then GET <uri><path> for each manifest line, each
// file checked against its line's size (while streaming) and sha256. Any other URI is one file.

import { join } from "node:path";
import { assertOutputPath, type OutputEntry, outputRootOfManifest } from "@arthaain/sdk";
import type { Hex } from "viem";
import { bodyError, httpGet } from "./httpGet.ts";
import { InputError } from "./inputError.ts";
import { parseManifest } from "./parseManifest.ts";
import { type ByteBudget, makeParents, readAll, writeChecked } from "./writeChecked.ts";

/** A manifest line is ~70 bytes plus the path: 64 MiB is over half a million files. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export type DownloadHttpInputOptions = {
  uri: string;
  contentHash: Hex;
  budget: ByteBudget;
  timeoutMs: number;
  maxRedirects: number;
  signal?: AbortSignal | undefined;
};

/** Downloads the input at `url` into the existing directory `into`; returns the tree's entries. */
export async function downloadHttpInput(
  url: string,
  directory: boolean,
  into: string,
  options: DownloadHttpInputOptions,
): Promise<OutputEntry[]> {
  return directory ? downloadDirectory(url, into, options) : [await downloadFile(url, into, options)];
}

async function downloadDirectory(
  url: string,
  into: string,
  options: DownloadHttpInputOptions,
): Promise<OutputEntry[]> {
  const { uri } = options;
  const response = await httpGet(url, options);
  let manifest: Uint8Array;
  try {
    manifest = await readAll(
      response,
      MAX_MANIFEST_BYTES,
      () =>
        new InputError("too-large", uri, `input ${uri}: manifest is larger than ${MAX_MANIFEST_BYTES} bytes`),
    );
  } catch (error) {
    response.destroy();
    throw bodyError(error, url, options);
  }
  const root = outputRootOfManifest(manifest);
  if (root !== options.contentHash.toLowerCase()) {
    throw new InputError(
      "hash-mismatch",
      uri,
      `input ${uri}: the served manifest's root ${root} does not match the content hash ${options.contentHash}; no file was fetched`,
    );
  }
  const entries = parseManifest(manifest, uri);
  const total = entries.reduce((n, e) => n + e.size, 0);
  if (total > options.budget.max) {
    throw new InputError(
      "too-large",
      uri,
      `input ${uri}: its manifest lists ${total} bytes, more than the limit of ${options.budget.max}; no file was fetched`,
    );
  }
  const made = new Set<string>();
  for (const entry of entries) {
    const fileUrl = url + entry.path.split("/").map(encodeURIComponent).join("/");
    const file = await httpGet(fileUrl, options);
    try {
      const declared = Number(file.headers["content-length"] ?? Number.NaN);
      if (declared > entry.size) {
        throw new InputError(
          "hash-mismatch",
          uri,
          `input ${uri}: file ${entry.path} is served as ${declared} bytes; its manifest entry declares ${entry.size}`,
          { path: entry.path },
        );
      }
      await makeParents(into, entry.path, made);
      await writeChecked(file, join(into, entry.path), { ...options, path: entry.path, expect: entry });
    } catch (error) {
      file.destroy();
      throw bodyError(error, fileUrl, options);
    }
  }
  return entries;
}

async function downloadFile(
  url: string,
  into: string,
  options: DownloadHttpInputOptions,
): Promise<OutputEntry> {
  const { uri } = options;
  const name = fileNameOf(url, uri);
  const response = await httpGet(url, options);
  try {
    const declared = Number(response.headers["content-length"] ?? Number.NaN);
    if (declared > options.budget.max) {
      throw new InputError(
        "too-large",
        uri,
        `input ${uri}: ${declared} bytes, more than the limit of ${options.budget.max}`,
      );
    }
    const written = await writeChecked(response, join(into, name), { ...options, path: name });
    return { path: name, ...written };
  } catch (error) {
    response.destroy();
    throw bodyError(error, url, options);
  }
}

/** The file's name in the one-file tree: the last segment of the URL's path, percent-decoded. */
function fileNameOf(url: string, uri: string): string {
  const last = new URL(url).pathname.split("/").at(-1) ?? "";
  let name = "";
  try {
    name = decodeURIComponent(last);
    assertOutputPath(name);
    if (name.includes("/")) throw new Error("contains an encoded '/'");
  } catch (error) {
    throw new InputError(
      "bad-uri",
      uri,
      `input ${uri}: its last path segment ${JSON.stringify(last)} is not a usable file name (${(error as Error).message}); ` +
        "a single-file URI must end in the file's name, a directory URI in '/'",
    );
  }
  return name;
}
