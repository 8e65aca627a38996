import { type Hex, sha256 } from "viem";

const utf8 = new TextEncoder();

/**
 * The on-chain `specHash` of a spec document: 0x + sha256 of its exact bytes. Not of a re-serialisation:
 * the hash commits to the stored document, so anyone holding the bytes can check them without agreeing
 * on a JSON encoder. A string is hashed as its UTF-8 bytes.
 */
export function specHash(document: Uint8Array | string): Hex {
  return sha256(typeof document === "string" ? utf8.encode(document) : document);
}
