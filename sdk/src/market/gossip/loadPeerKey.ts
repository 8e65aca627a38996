import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { type MarketLogger, silentMarketLogger } from "./logger.ts";

/** Names no file: the key lives in memory only and the peer id changes on every start (tests). */
export const EPHEMERAL_KEY = ":memory:";

/**
 * The node's libp2p identity. The peer id an operator registers on-chain is derived from this key, so it
 * is created once (Ed25519, written as libp2p's protobuf encoding, mode 0600) and reused on every start.
 * `path` undefined or EPHEMERAL_KEY gives a fresh in-memory key.
 */
export async function loadPeerKey(
  path?: string,
  log: MarketLogger = silentMarketLogger,
): Promise<PrivateKey> {
  if (path === undefined || path === EPHEMERAL_KEY) return asLibp2pKey(await generateKeyPair("Ed25519"));
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (bytes) {
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) {
      log.warn({ path, mode: mode.toString(8) }, "libp2p key file is readable by others; chmod 600 it");
    }
    try {
      return asLibp2pKey(privateKeyFromProtobuf(bytes));
    } catch (error) {
      throw new Error(
        `libp2p key file ${path}: not a libp2p private key (${(error as Error).message}); ` +
          "restore it from a backup, or delete it to create a new identity (then re-register the peer id)",
      );
    }
  }
  const key = await generateKeyPair("Ed25519");
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // "wx": never overwrite a key that appeared meanwhile (two agents started on one data directory).
    await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadPeerKey(path, log);
    throw error;
  }
  log.info({ path }, "created a new libp2p identity");
  return asLibp2pKey(key);
}

// @libp2p/crypto 5.1.23 types its keys with @libp2p/interface 3 while libp2p 2.10 expects interface 2's
// PrivateKey; the objects are the same (libp2p itself uses this crypto build), only a generic differs.
function asLibp2pKey(key: unknown): PrivateKey {
  return key as PrivateKey;
}
