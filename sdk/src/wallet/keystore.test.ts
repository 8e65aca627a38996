import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  decryptKeystore,
  encryptKeystore,
  KeystoreError,
  loadPrivateKey,
  writeKeystoreFile,
} from "./keystore.ts";

describe("keystore", () => {
  it("round-trips a key through keystore v3 and refuses a wrong password", async () => {
    const key = generatePrivateKey();
    const json = await encryptKeystore(key, "correct horse");
    const doc = JSON.parse(json);
    expect((doc.crypto ?? doc.Crypto).kdf).toBe("scrypt");
    expect(json).not.toContain(key.slice(2));
    expect(await decryptKeystore(json, "correct horse")).toBe(key);
    await expect(decryptKeystore(json, "wrong horse", "op.json")).rejects.toThrow("op.json: wrong password");
  });

  it("loads from a file, from the environment, or says what is missing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ks-"));
    const key = generatePrivateKey();
    const file = join(dir, "key.json");
    await writeKeystoreFile(file, key, "password1");
    expect(await loadPrivateKey({ keystoreFile: file, password: "password1" })).toBe(key);
    await expect(loadPrivateKey({ keystoreFile: file })).rejects.toThrow(
      /needs its password in ARTHA_KEYSTORE_PASSWORD/,
    );
    await expect(loadPrivateKey({ keystoreFile: join(dir, "nope.json"), password: "x" })).rejects.toThrow(
      /ENOENT/,
    );
    await writeFile(join(dir, "junk.json"), "{}");
    await expect(loadPrivateKey({ keystoreFile: join(dir, "junk.json"), password: "x" })).rejects.toThrow(
      /not a keystore v3/,
    );
    expect(await loadPrivateKey({ privateKey: key })).toBe(key);
    await expect(loadPrivateKey({ privateKey: "0x12" })).rejects.toBeInstanceOf(KeystoreError);
    await expect(loadPrivateKey({})).rejects.toThrow(/no key/);
    // an existing keystore is never overwritten
    await expect(writeKeystoreFile(file, key, "password1")).rejects.toThrow(/EEXIST/);
  });
});
