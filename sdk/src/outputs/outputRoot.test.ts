import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OutputEntry, OutputRootError, outputEntryOf, outputManifest, outputRoot } from "./index.ts";
import { outputRootOfDirectory, readOutputEntries } from "./outputRoot.node.ts";

// Known answers computed outside this code, with coreutils:
//   printf '%s' "$manifest" | sha256sum
// where each line's hash is `printf '<content>' | sha256sum`.
const KAT_BASIC = {
  files: { "a.txt": "hello\n", "B.txt": "x", "data/b.bin": "" },
  manifest:
    "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 1 B.txt\n" +
    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 6 a.txt\n" +
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 data/b.bin\n",
  root: "0x2f39ab7ecca086e81b7779f1f9e6b8b302061106e1c70665037305950de053c2",
};
// Byte order, not tree order, UTF-16 order or locale order: '-' (2d) < '.' (2e) < '/' (2f), and
// U+FF61 (UTF-8 ef bd a1) < U+1F600 (UTF-8 f0 9f 98 80) although in UTF-16 U+1F600 (d83d …) sorts first.
const KAT_ORDER = {
  files: { "😀.txt": "five", "a/b": "three", "｡.txt": "four", "a.b": "two", "a-b": "one" },
  manifest:
    "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed 3 a-b\n" +
    "3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3 3 a.b\n" +
    "8b5b9db0c13db24256c829aa364aa90c6d2eba318b9232a4ab9313b954d3555f 5 a/b\n" +
    "04efaf080f5a3e74e1c29d1ca6a48569382cbbcd324e8d59d2b83ef21c039f00 4 ｡.txt\n" +
    "222b0bd51fcef7e65c2e62db2ed65457013bab56be6fafeb19ee11d453153c80 4 😀.txt\n",
  root: "0x50c74c8694b6d6404aa0475d3d3d572ea27d8c515e22531c2a97cd030f08bdcb",
};

const entriesOf = (files: Record<string, string>): OutputEntry[] =>
  Object.entries(files).map(([path, content]) => outputEntryOf(path, content));

function expectError(fn: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(OutputRootError);
  expect((caught as OutputRootError).code).toBe(code);
  expect((caught as OutputRootError).message).toMatch(message);
}

describe("outputRoot (pure)", () => {
  it("matches the hand-computed manifest and root", () => {
    const entries = entriesOf(KAT_BASIC.files);
    expect(outputManifest(entries)).toBe(KAT_BASIC.manifest);
    expect(outputRoot(entries)).toBe(KAT_BASIC.root);
  });

  it("sorts by UTF-8 bytes whatever the input order", () => {
    const entries = entriesOf(KAT_ORDER.files);
    expect(outputManifest(entries)).toBe(KAT_ORDER.manifest);
    expect(outputRoot(entries)).toBe(KAT_ORDER.root);
    expect(outputRoot([...entries].reverse())).toBe(KAT_ORDER.root);
  });

  it("changes when a byte, a size or a name changes", () => {
    const base = entriesOf(KAT_BASIC.files);
    const renamed = base.map((e) => (e.path === "a.txt" ? { ...e, path: "a.TXT" } : e));
    const resized = base.map((e) => (e.path === "a.txt" ? { ...e, size: 7 } : e));
    const edited = entriesOf({ ...KAT_BASIC.files, "a.txt": "hello!" });
    for (const other of [renamed, resized, edited]) expect(outputRoot(other)).not.toBe(KAT_BASIC.root);
  });

  it("rejects an empty set, bad paths and bad entries", () => {
    expectError(() => outputRoot([]), "no-outputs", /^no outputs/);
    const h = outputEntryOf("x", "").sha256;
    const bad: [string, RegExp][] = [
      ["", /is empty/],
      ["a\nb", /line break/],
      ["a\rb", /line break/],
      ["/abs", /absolute/],
      ["./a", /'\.' segment/],
      ["a/../b", /'\.\.' segment/],
      ["a//b", /empty segment/],
      ["dir/", /empty segment/],
      ["nul\0", /NUL/],
      ["bad\uD800", /lone surrogate/],
    ];
    for (const [path, why] of bad)
      expectError(() => outputRoot([{ path, size: 0, sha256: h }]), "invalid-path", why);
    expectError(() => outputRoot([{ path: "a", size: -1, sha256: h }]), "invalid-entry", /size -1/);
    expectError(() => outputRoot([{ path: "a", size: 1.5, sha256: h }]), "invalid-entry", /size 1.5/);
    expectError(
      () => outputRoot([{ path: "a", size: 0, sha256: h.toUpperCase() }]),
      "invalid-entry",
      /lowercase hex/,
    );
    expectError(
      () => outputRoot([{ path: "a", size: 0, sha256: `0x${h.slice(2)}` }]),
      "invalid-entry",
      /sha256/,
    );
    expectError(
      () => outputRoot([outputEntryOf("a", "1"), outputEntryOf("a", "2")]),
      "duplicate-path",
      /twice/,
    );
    expectError(
      () => outputRoot([outputEntryOf("a", "1"), outputEntryOf("a/b", "2")]),
      "invalid-entry",
      /lies under a, which is listed as a file/,
    );
  });
});

describe("outputRootOfDirectory (Node)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "artha-outroot-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (files: Record<string, string>): void => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  };

  it("walks nested directories to the known answers, ignoring empty directories", async () => {
    write(KAT_BASIC.files);
    mkdirSync(join(dir, "empty/deeper"), { recursive: true });
    const result = await outputRootOfDirectory(dir);
    expect(result.manifest).toBe(KAT_BASIC.manifest);
    expect(result.root).toBe(KAT_BASIC.root);
  });

  it("walks unicode names in byte order", async () => {
    write(KAT_ORDER.files);
    expect((await outputRootOfDirectory(dir)).root).toBe(KAT_ORDER.root);
  });

  it("agrees with the shell recipe of docs/runtime-contract.md", async () => {
    write({ ...KAT_ORDER.files, "deep/er/file.bin": "\u0000\u0001binary", "with space.txt": "s" });
    const recipe =
      "cd \"$1\" && find . -type f -printf '%P\\0' | LC_ALL=C sort -z | " +
      "while IFS= read -r -d '' f; do printf '%s %s %s\\n' \"$(sha256sum < \"$f\" | cut -c1-64)\" " +
      '"$(stat -c %s "$f")" "$f"; done | sha256sum | cut -c1-64';
    const shell = execFileSync("bash", ["-c", recipe, "recipe", dir], { encoding: "utf8" }).trim();
    expect((await outputRootOfDirectory(dir)).root).toBe(`0x${shell}`);
  });

  it("hashes a file larger than one stream chunk", async () => {
    const big = "0123456789abcdef".repeat(100_000);
    write({ "big.txt": big });
    const [entry] = await readOutputEntries(dir);
    expect(entry).toEqual(outputEntryOf("big.txt", big));
  });

  async function expectDirError(code: string, message: RegExp): Promise<void> {
    const err = await outputRootOfDirectory(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputRootError);
    expect((err as OutputRootError).code).toBe(code);
    expect((err as OutputRootError).message).toMatch(message);
  }

  it("rejects an empty directory tree", async () => {
    mkdirSync(join(dir, "a/b"), { recursive: true });
    await expectDirError("no-outputs", /^no outputs/);
  });

  it("rejects a missing directory and a file given as the directory", async () => {
    write({ "f.txt": "x" });
    await expect(outputRootOfDirectory(join(dir, "nope"))).rejects.toThrow(/is not a directory/);
    await expect(outputRootOfDirectory(join(dir, "f.txt"))).rejects.toThrow(/is not a directory/);
  });

  it("rejects symlinks, to files and to directories", async () => {
    write({ "real.txt": "x", "sub/keep.txt": "y" });
    symlinkSync("real.txt", join(dir, "sub/link.txt"));
    await expectDirError("symlink", /^output sub\/link\.txt is a symbolic link/);
    rmSync(join(dir, "sub/link.txt"));
    symlinkSync("sub", join(dir, "dirlink"));
    await expectDirError("symlink", /^output dirlink is a symbolic link/);
  });

  it("rejects a FIFO", async () => {
    write({ "ok.txt": "x" });
    execFileSync("mkfifo", [join(dir, "pipe")]);
    await expectDirError("special-file", /^output pipe is a FIFO/);
  });

  it("rejects a socket", async () => {
    write({ "ok.txt": "x" });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, "sock"), resolve));
    try {
      await expectDirError("special-file", /^output sock is a socket/);
    } finally {
      server.close();
    }
  });

  it("rejects a device node when it can make one", async () => {
    write({ "ok.txt": "x" });
    // mknod needs CAP_MKNOD (root here); elsewhere /dev/null stands in, reached by a walk of /dev.
    try {
      execFileSync("mknod", [join(dir, "null"), "c", "1", "3"], { stdio: "ignore" });
    } catch {
      const err = await readOutputEntries("/dev").catch((e: unknown) => e);
      expect((err as OutputRootError).code).toMatch(/special-file|symlink/);
      return;
    }
    await expectDirError("special-file", /^output null is a device/);
  });

  it("rejects names with line breaks", async () => {
    write({ "ok.txt": "x", "bad\nname": "y" });
    await expectDirError("invalid-path", /"bad\\nname": file name contains a line break/);
    rmSync(join(dir, "bad\nname"));
    write({ "cr\r": "y" });
    await expectDirError("invalid-path", /line break/);
  });

  it("rejects names that are not UTF-8, naming the bytes", async () => {
    write({ "ok.txt": "x" });
    mkdirSync(join(dir, "sub"));
    writeFileSync(
      Buffer.concat([Buffer.from(`${dir}/sub/caf`), Buffer.from([0xe9]), Buffer.from(".txt")]),
      "z",
    );
    await expectDirError("non-utf8-name", /^output sub\/caf\\xe9\.txt: file name is not valid UTF-8/);
  });
});
