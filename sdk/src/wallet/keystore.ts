// Operator and requester keys at rest: Web3 Secret Storage (keystore v3, scrypt + AES-128-CTR), the
// format every Ethereum wallet imports. ethers implements it; we only add file handling and errors
// that say what to do.
import { readFile, writeFile } from "node:fs/promises";
import { decryptKeystoreJson, encryptKeystoreJson, isKeystoreJson } from "ethers";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export class KeystoreError extends Error {
  override readonly name = "KeystoreError";
}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/** Encrypts `privateKey` with `password` into keystore v3 JSON. */
export async function encryptKeystore(privateKey: Hex, password: string): Promise<string> {
  if (!PRIVATE_KEY.test(privateKey))
    throw new KeystoreError("private key must be 0x followed by 64 hex digits");
  if (password.length < 8) throw new KeystoreError("keystore password must be at least 8 characters");
  const address = privateKeyToAccount(privateKey).address;
  return encryptKeystoreJson({ address, privateKey }, password);
}

/** Decrypts keystore v3 JSON; `source` names the file in errors (never the password or key). */
export async function decryptKeystore(json: string, password: string, source = "keystore"): Promise<Hex> {
  if (!isKeystoreJson(json)) throw new KeystoreError(`${source}: not a keystore v3 JSON document`);
  try {
    const account = await decryptKeystoreJson(json, password);
    return account.privateKey as Hex;
  } catch (error) {
    const wrong = /incorrect password/i.test(String((error as Error).message));
    throw new KeystoreError(
      wrong ? `${source}: wrong password` : `${source}: cannot decrypt (${(error as Error).message})`,
    );
  }
}

export async function writeKeystoreFile(path: string, privateKey: Hex, password: string): Promise<void> {
  await writeFile(path, await encryptKeystore(privateKey, password), { mode: 0o600, flag: "wx" });
}

export type LoadPrivateKeyOptions = {
  /** Keystore v3 file; used when set. */
  keystoreFile?: string;
  /** Its password (from the environment, never from a config file). */
  password?: string;
  /** A raw key from the environment, for devnets and CI. */
  privateKey?: string;
  /** Names of the variables, for error messages. */
  passwordVar?: string;
  privateKeyVar?: string;
};

/** The signing key from a keystore file or the environment, with an error that says which to provide. */
export async function loadPrivateKey(o: LoadPrivateKeyOptions): Promise<Hex> {
  const passwordVar = o.passwordVar ?? "ARTHA_KEYSTORE_PASSWORD";
  const keyVar = o.privateKeyVar ?? "ARTHA_PRIVATE_KEY";
  if (o.keystoreFile) {
    if (o.password === undefined) {
      throw new KeystoreError(`keystore ${o.keystoreFile} needs its password in ${passwordVar}`);
    }
    const json = await readFile(o.keystoreFile, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new KeystoreError(`keystore ${o.keystoreFile}: cannot read (${error.code ?? error.message})`);
    });
    return decryptKeystore(json, o.password, `keystore ${o.keystoreFile}`);
  }
  if (o.privateKey !== undefined) {
    if (!PRIVATE_KEY.test(o.privateKey))
      throw new KeystoreError(`${keyVar} must be 0x followed by 64 hex digits`);
    return o.privateKey as Hex;
  }
  throw new KeystoreError(`no key: set a keystore file (with ${passwordVar}) or ${keyVar}`);
}
