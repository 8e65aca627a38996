// Fetching a job's spec document. Unlike inputs, the spec is checked against `specHash`: the sha256 of
// its exact bytes (sdk/src/spec), not a tree root, because it is one document and often travels inline.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { specHash as hashOf } from "@arthaain/sdk";
import type { Hex } from "viem";
import { bodyError, httpGet } from "./httpGet.ts";
import { InputError, shortUri } from "./inputError.ts";
import { parseInputUri } from "./parseInputUri.ts";
import { readAll } from "./writeChecked.ts";

export type FetchSpecParameters = {
  /** data:…, file:///abs/spec.json or http(s)://host/spec.json. */
  uri: string;
  /** The on-chain specHash: 0x + sha256 of the document's bytes. */
  specHash: Hex;
  /** Largest document accepted; default 1 MiB. */
  maxBytes?: number | undefined;
  signal?: AbortSignal | undefined;
  /** HTTP: longest silence tolerated; default 30 s. */
  timeoutMs?: number | undefined;
  maxRedirects?: number | undefined;
};

/** The spec document's bytes, verified against `specHash`. Throws InputError. */
export async function fetchSpec(parameters: FetchSpecParameters): Promise<Uint8Array> {
  const { uri, signal } = parameters;
  const max = parameters.maxBytes ?? 1024 * 1024;
  const tooLarge = () =>
    new InputError("too-large", uri, `spec ${shortUri(uri)}: larger than the limit of ${max} bytes`);
  const location = parseInputUri(uri);
  let bytes: Uint8Array;
  if (location.scheme === "data") {
    bytes = decodeDataUri(uri);
    if (bytes.length > max) throw tooLarge();
  } else if (location.scheme === "file") {
    const file = await open(location.path, constants.O_RDONLY).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") {
        throw new InputError("not-found", uri, `spec ${uri}: ${location.path} does not exist`);
      }
      throw new InputError("unreachable", uri, `spec ${uri}: cannot read ${location.path} (${error.code})`, {
        cause: error,
      });
    });
    try {
      if (!(await file.stat()).isFile()) {
        throw new InputError(
          "bad-uri",
          uri,
          `spec ${uri}: ${location.path} is not a regular file; a spec is one document`,
        );
      }
      bytes = await readAll(file.createReadStream({ autoClose: false }), max, tooLarge);
    } finally {
      await file.close();
    }
  } else {
    if (location.directory) {
      throw new InputError(
        "bad-uri",
        uri,
        `spec ${uri}: ends in '/'; a spec is one document, not a directory`,
      );
    }
    const options = {
      uri,
      timeoutMs: parameters.timeoutMs ?? 30_000,
      maxRedirects: parameters.maxRedirects ?? 5,
      signal,
    };
    const response = await httpGet(location.url, options);
    try {
      bytes = await readAll(response, max, tooLarge);
    } catch (error) {
      response.destroy();
      throw bodyError(error, location.url, options);
    }
  }
  const actual = hashOf(bytes);
  if (actual !== parameters.specHash.toLowerCase()) {
    throw new InputError(
      "hash-mismatch",
      uri,
      `spec ${shortUri(uri)}: sha256 ${actual} does not match the on-chain specHash ${parameters.specHash}`,
    );
  }
  return bytes;
}

/** RFC 2397: data:[<mediatype>][;base64],<data>; the payload percent-decoded to bytes. */
function decodeDataUri(uri: string): Uint8Array {
  const comma = uri.indexOf(",");
  if (comma < 0)
    throw new InputError("bad-uri", uri, `spec ${shortUri(uri)}: a data: URI needs a ',' before its payload`);
  const meta = uri.slice("data:".length, comma);
  const payload = percentDecode(uri.slice(comma + 1), uri);
  if (!/;base64$/i.test(meta)) return payload;
  const text = Buffer.from(payload).toString("latin1").replace(/\s+/g, "");
  // Buffer's decoder skips characters it does not know; check first, so a typo is an error, not other bytes.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new InputError(
      "bad-uri",
      uri,
      `spec ${shortUri(uri)}: the base64 payload of the data: URI is malformed`,
    );
  }
  return Buffer.from(text, "base64");
}

function percentDecode(text: string, uri: string): Uint8Array {
  const out: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new InputError(
          "bad-uri",
          uri,
          `spec ${shortUri(uri)}: bad percent escape at character ${i} of the data: payload`,
        );
      }
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      const code = text.codePointAt(i)!;
      out.push(...utf8.encode(String.fromCodePoint(code)));
      if (code > 0xffff) i++;
    }
  }
  return Uint8Array.from(out);
}
