export type InputErrorCode =
  /** The bytes do not hash to the on-chain commitment (a manifest, a file, or the whole tree). */
  | "hash-mismatch"
  /** The host did not answer, refused, timed out, redirected too often, or answered an error status. */
  | "unreachable"
  /** The input is larger than the byte limit (the operator's `maxInputBytes`). */
  | "too-large"
  /** The URI names nothing (a missing file, HTTP 404/410). */
  | "not-found"
  /** The URI cannot be read as a location (malformed, no file name, a remote file:// host). */
  | "bad-uri"
  /** A scheme this version does not fetch (ipfs://, ...). */
  | "unsupported-scheme"
  /** The content is not a valid tree: a malformed or non-canonical manifest, a symlink, a special file, no files. */
  | "manifest-invalid"
  /** The destination already exists; inputs are written once, by rename, and never merged into a directory. */
  | "dest-exists";

/** Why an input could not be fetched; `uri` is the input's URI, `path` the file inside it when one is at fault. */
export class InputError extends Error {
  override readonly name = "InputError";
  readonly code: InputErrorCode;
  readonly uri: string;
  readonly path: string | undefined;
  // Plain fields, not parameter properties: Node's type stripping runs this file as is.
  constructor(
    code: InputErrorCode,
    uri: string,
    message: string,
    options?: { path?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.uri = uri;
    this.path = options?.path;
  }
}

/** A URI shortened for messages (inline data: URIs can be kilobytes long). */
export function shortUri(uri: string): string {
  return uri.length > 120 ? `${uri.slice(0, 117)}...` : uri;
}
