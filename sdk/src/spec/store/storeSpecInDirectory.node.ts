// Node only (node:fs): reached from storeSpec by a dynamic import, or imported directly from Node code.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { JobSpec, JobSpecInput } from "../jobSpec.ts";
import { type EncodedSpec, encodeSpec, type StoredSpec, specFileName } from "./specStore.ts";

/** Stores a spec as `<dir>/<sha256 hex>.json` and returns its file:// URI (see storeSpec). */
export async function storeSpecInDirectory(dir: string, spec: JobSpecInput | JobSpec): Promise<StoredSpec> {
  return storeEncodedSpecInDirectory(dir, encodeSpec(spec));
}

/** `storeSpecInDirectory` for an already encoded spec. Idempotent: an existing file with the same bytes is kept. */
export async function storeEncodedSpecInDirectory(dir: string, encoded: EncodedSpec): Promise<StoredSpec> {
  if (typeof dir !== "string" || dir === "") throw new Error("specStore.dir: expected a directory path");
  const path = join(resolve(dir), specFileName(encoded.specHash));
  const existing = await readFile(path).catch(() => undefined);
  if (!existing || !Buffer.from(existing).equals(encoded.bytes)) {
    await mkdir(resolve(dir), { recursive: true });
    // Written aside and renamed: an agent reading concurrently never sees half a document.
    const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, encoded.bytes);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
  return { ...encoded, specUri: pathToFileURL(path).href };
}
