// Which fetcher a URI goes to. Schemes: file:// (a local file or directory), http(s):// (a file, or a
// directory when the URI ends in "/": its manifest, then each file), data: (inline bytes; specs only).
import { fileURLToPath } from "node:url";
import { InputError, shortUri } from "./inputError.ts";

export type InputLocation =
  | { scheme: "file"; path: string }
  | { scheme: "http"; url: string; directory: boolean }
  | { scheme: "data"; uri: string };

/** Classifies `uri`; throws InputError bad-uri or unsupported-scheme. */
export function parseInputUri(uri: string): InputLocation {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InputError(
      "bad-uri",
      uri,
      `input ${shortUri(uri)}: not a URI; expected file:///abs/path, http(s)://... or data:`,
    );
  }
  switch (url.protocol) {
    case "file:": {
      let path: string;
      try {
        path = fileURLToPath(url);
      } catch (error) {
        throw new InputError(
          "bad-uri",
          uri,
          `input ${uri}: ${(error as Error).message}; expected file:///absolute/path on this host`,
        );
      }
      return { scheme: "file", path };
    }
    case "http:":
    case "https:":
      if (url.username || url.password) {
        // Credentials in a public, on-chain URI are a leak, and would be sent to every redirect target.
        throw new InputError(
          "bad-uri",
          uri,
          `input ${uri}: carries credentials; expected a URI without user:password@`,
        );
      }
      return { scheme: "http", url: uri, directory: uri.endsWith("/") };
    case "data:":
      return { scheme: "data", uri };
    case "ipfs:":
      throw new InputError(
        "unsupported-scheme",
        uri,
        `input ${uri}: IPFS inputs are deferred in this version (no IPFS node in the agent yet); ` +
          "publish the content over http(s):// (a directory as <uri>/ serving its manifest) or file://",
      );
    default:
      throw new InputError(
        "unsupported-scheme",
        uri,
        `input ${shortUri(uri)}: scheme ${url.protocol} is not supported; expected file://, http:// or https://`,
      );
  }
}
