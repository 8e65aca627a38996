// Browser-safe: the directory store's node:fs code is loaded on demand, never imported from here.
import type { JobSpec, JobSpecInput } from "../jobSpec.ts";
import {
  type EncodedSpec,
  encodeSpec,
  INLINE_SPEC_MAX_BYTES,
  type SpecStore,
  type StoredSpec,
  specFileName,
} from "./specStore.ts";

/**
 * Validates `spec`, encodes it as canonical JSON and stores it in `store`. Returns the `specUri` and
 * `specHash` to submit (the hash is sha256 of exactly the stored bytes) and the bytes themselves.
 * Throws JobSpecError naming the field for an invalid spec.
 */
export async function storeSpec(store: SpecStore, spec: JobSpecInput | JobSpec): Promise<StoredSpec> {
  return storeEncodedSpec(store, encodeSpec(spec));
}

/** `storeSpec` for a spec already encoded with `encodeSpec` (submitJob validates everything before storing). */
export async function storeEncodedSpec(store: SpecStore, encoded: EncodedSpec): Promise<StoredSpec> {
  switch (store.kind) {
    case "inline":
      return { ...encoded, specUri: inlineSpecUri(encoded.bytes) };
    case "directory":
      return (await loadDirectoryStore()).storeEncodedSpecInDirectory(store.dir, encoded);
    case "http":
      return { ...encoded, specUri: await putSpecOverHttp(store, encoded) };
    default:
      throw new Error(`unknown spec store kind ${JSON.stringify((store as { kind: unknown }).kind)}`);
  }
}

/** `data:application/json;base64,…` of a spec's bytes; refuses specs above INLINE_SPEC_MAX_BYTES. */
export function inlineSpecUri(bytes: Uint8Array): string {
  if (bytes.length > INLINE_SPEC_MAX_BYTES) {
    throw new Error(
      `spec is ${bytes.length} bytes; inline specs are limited to ${INLINE_SPEC_MAX_BYTES} bytes because they ` +
        'travel in calldata and the JobSubmitted event; use specStore { kind: "directory", dir } or ' +
        '{ kind: "http", baseUrl } instead',
    );
  }
  let binary = "";
  // Chunked: String.fromCharCode with a spread of the whole array can exceed the argument limit.
  for (let i = 0; i < bytes.length; i += 4096) binary += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return `data:application/json;base64,${btoa(binary)}`;
}

async function putSpecOverHttp(
  store: Extract<SpecStore, { kind: "http" }>,
  encoded: EncodedSpec,
): Promise<string> {
  let base: URL;
  try {
    base = new URL(store.baseUrl.endsWith("/") ? store.baseUrl : `${store.baseUrl}/`);
  } catch {
    throw new Error(`specStore.baseUrl: ${JSON.stringify(store.baseUrl)} is not a URL`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new Error(`specStore.baseUrl: expected an http(s):// URL, got ${base.protocol}`);
  }
  // Agents refuse URIs with credentials (they would be public on chain).
  if (base.username || base.password) {
    throw new Error("specStore.baseUrl: carries user:password@; pass credentials in specStore.headers");
  }
  const uri = new URL(specFileName(encoded.specHash), base).href;
  if (store.put) {
    const response = await fetch(uri, {
      method: "PUT",
      headers: { "content-type": "application/json", ...store.headers },
      body: encoded.bytes as BodyInit,
    });
    if (!response.ok) {
      throw new Error(`storing the spec at ${uri} failed: HTTP ${response.status} ${response.statusText}`);
    }
  }
  return uri;
}

type DirectoryStoreModule = typeof import("./storeSpecInDirectory.node.ts");

async function loadDirectoryStore(): Promise<DirectoryStoreModule> {
  if (!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node) {
    throw new Error(
      'specStore { kind: "directory" } needs Node.js (it writes a file); use "inline" or "http"',
    );
  }
  // A computed specifier that bundlers do not follow: browser bundles never see node:fs.
  const specifier = new URL("./storeSpecInDirectory.node.ts", import.meta.url).href;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as DirectoryStoreModule;
}
