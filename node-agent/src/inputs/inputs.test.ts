import { once } from "node:events";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canonicalSpecJson, outputEntryOf, outputRoot, outputRootOfManifest, specHash } from "@arthaain/sdk";
import { outputRootOfDirectory } from "@arthaain/sdk/node";
import type { Hex } from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchInput, fetchSpec, InputError, type InputErrorCode } from "./index.ts";

const files: Record<string, string> = {
  "train.csv": "x1,x2,label\n1,2,0\n3,4,1\n",
  "sub/notes.txt": "hello\n",
  "sub/deeper/empty.bin": "",
  "with space & ü.txt": "unicode name",
};

let tmp: string;
let src: string;
let srcRoot: Hex;
let srcManifest: string;

function writeTree(dir: string, tree: Record<string, string>) {
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

async function inputError(promise: Promise<unknown>, code: InputErrorCode): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).code).toBe(code);
  return error as InputError;
}

/** Nothing at dest and no temporary sibling left over. */
function expectNothingLeft(dest: string) {
  expect(existsSync(dest)).toBe(false);
  const parent = join(dest, "..");
  if (existsSync(parent)) expect(readdirSync(parent).filter((n) => n.includes(".partial-"))).toEqual([]);
}

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), "artha-inputs-"));
  src = join(tmp, "src");
  writeTree(src, files);
  ({ root: srcRoot, manifest: srcManifest } = await outputRootOfDirectory(src));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe("fetchInput file://", () => {
  it("copies a directory and returns its tree root", async () => {
    const dest = join(tmp, "job", "in", "data");
    const result = await fetchInput({ uri: pathToFileURL(src).href, contentHash: srcRoot, dest });
    expect(result).toEqual({ dir: dest, bytes: 42, root: srcRoot });
    expect((await outputRootOfDirectory(dest)).root).toBe(srcRoot);
    expect(readFileSync(join(dest, "with space & ü.txt"), "utf8")).toBe("unicode name");
    expectNothingLeft(join(tmp, "job", "in", "absent"));
  });

  it("makes the copy readable by the job's user whatever the umask", async () => {
    const dest = join(tmp, "data");
    const old = process.umask(0o077);
    try {
      await fetchInput({ uri: pathToFileURL(src).href, contentHash: srcRoot, dest });
    } finally {
      process.umask(old);
    }
    expect(statSync(dest).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, "sub", "deeper")).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, "sub", "notes.txt")).mode & 0o777).toBe(0o644);
  });

  it("treats a single file as the tree of one file named by its basename", async () => {
    const root = outputRoot([outputEntryOf("train.csv", files["train.csv"]!)]);
    const dest = join(tmp, "data");
    const result = await fetchInput({
      uri: pathToFileURL(join(src, "train.csv")).href,
      contentHash: root,
      dest,
    });
    expect(result.root).toBe(root);
    expect(readdirSync(dest)).toEqual(["train.csv"]);
    // The same content under another name is another tree.
    expect(root).not.toBe(outputRoot([outputEntryOf("other.csv", files["train.csv"]!)]));
  });

  it("refuses a wrong content hash and leaves nothing at dest", async () => {
    const dest = join(tmp, "data");
    const wrong = `0x${"ab".repeat(32)}` as Hex;
    const error = await inputError(
      fetchInput({ uri: pathToFileURL(src).href, contentHash: wrong, dest }),
      "hash-mismatch",
    );
    expect(error.message).toContain(srcRoot);
    expect(error.message).toContain(wrong);
    expect(error.message).toContain(pathToFileURL(src).href);
    expectNothingLeft(dest);
  });

  it("refuses symlinks inside a directory", async () => {
    symlinkSync("/etc/hostname", join(src, "sub", "link"));
    const dest = join(tmp, "data");
    const error = await inputError(
      fetchInput({ uri: pathToFileURL(src).href, contentHash: srcRoot, dest }),
      "manifest-invalid",
    );
    expect(error.message).toContain("sub/link is a symbolic link");
    expectNothingLeft(dest);
  });

  it("names what is missing, too large, outside the allowed roots or already there", async () => {
    const dest = join(tmp, "data");
    await inputError(
      fetchInput({ uri: pathToFileURL(join(tmp, "nope")).href, contentHash: srcRoot, dest }),
      "not-found",
    );
    const big = await inputError(
      fetchInput({ uri: pathToFileURL(src).href, contentHash: srcRoot, dest, maxBytes: 41 }),
      "too-large",
    );
    expect(big.message).toContain("42 bytes, more than the limit of 41");
    expectNothingLeft(dest);
    const outside = await inputError(
      fetchInput({
        uri: pathToFileURL(src).href,
        contentHash: srcRoot,
        dest,
        fileRoots: [join(tmp, "allowed")],
      }),
      "bad-uri",
    );
    expect(outside.message).toContain("outside the directories file:// inputs may come from");
    await fetchInput({ uri: pathToFileURL(src).href, contentHash: srcRoot, dest, fileRoots: [tmp] });
    await inputError(fetchInput({ uri: pathToFileURL(src).href, contentHash: srcRoot, dest }), "dest-exists");
  });

  it("refuses an empty directory and ipfs://", async () => {
    mkdirSync(join(tmp, "empty"));
    await inputError(
      fetchInput({ uri: pathToFileURL(join(tmp, "empty")).href, contentHash: srcRoot, dest: join(tmp, "d") }),
      "manifest-invalid",
    );
    const ipfs = await inputError(
      fetchInput({
        uri: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
        contentHash: srcRoot,
        dest: join(tmp, "d"),
      }),
      "unsupported-scheme",
    );
    expect(ipfs.message).toMatch(/IPFS inputs are deferred.*http\(s\).*file:\/\//);
    await inputError(
      fetchInput({ uri: "ftp://example.org/x", contentHash: srcRoot, dest: join(tmp, "d") }),
      "unsupported-scheme",
    );
    await inputError(fetchInput({ uri: "not a uri", contentHash: srcRoot, dest: join(tmp, "d") }), "bad-uri");
    expectNothingLeft(join(tmp, "d"));
  });
});

describe("fetchInput http://", () => {
  // What the server serves under /ds/: the manifest at /ds/ and each file at /ds/<path>. Tests tamper with it.
  let served: Record<string, string | Buffer>;
  let manifest: string;
  let requests: string[];
  let chunked: boolean;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url!, "http://x").pathname);
      requests.push(path);
      if (path.startsWith("/redirect/")) {
        res.writeHead(302, { location: `/ds/${path.slice("/redirect/".length)}` });
        return res.end();
      }
      if (path.startsWith("/loop")) {
        res.writeHead(307, { location: "/loop" });
        return res.end();
      }
      if (path === "/stall") return; // never answers
      if (path === "/slow.bin") {
        // Headers and a first chunk, then silence.
        res.writeHead(200);
        res.write("first");
        return;
      }
      const body =
        path === "/ds/" ? manifest : path.startsWith("/ds/") ? served[path.slice(4)] : served[path.slice(1)];
      if (body === undefined) {
        res.writeHead(404);
        return res.end("no such file");
      }
      res.writeHead(200, chunked ? {} : { "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    served = { ...files, "single.csv": files["train.csv"]! };
    manifest = srcManifest;
    requests = [];
    chunked = false;
  });

  it("fetches a directory: manifest first, then each file", async () => {
    const dest = join(tmp, "data");
    const result = await fetchInput({ uri: `${base}/ds/`, contentHash: srcRoot, dest });
    expect(result).toEqual({ dir: dest, bytes: 42, root: srcRoot });
    expect((await outputRootOfDirectory(dest)).root).toBe(srcRoot);
    expect(requests[0]).toBe("/ds/");
    expect(requests.slice(1).sort()).toEqual(
      Object.keys(files)
        .map((p) => `/ds/${p}`)
        .sort(),
    );
  });

  it("follows redirects, each request on its own, and bounds them", async () => {
    const result = await fetchInput({
      uri: `${base}/redirect/`,
      contentHash: srcRoot,
      dest: join(tmp, "data"),
    });
    expect(result.root).toBe(srcRoot);
    expect(requests).toContain("/redirect/train.csv");
    const error = await inputError(
      fetchInput({ uri: `${base}/loop/`, contentHash: srcRoot, dest: join(tmp, "d2"), maxRedirects: 3 }),
      "unreachable",
    );
    expect(error.message).toContain("more than 3 redirects");
    expectNothingLeft(join(tmp, "d2"));
  });

  it("refuses a tampered file, naming it, and leaves nothing at dest", async () => {
    served["sub/notes.txt"] = "HELLO\n"; // same size, other bytes
    const dest = join(tmp, "data");
    const error = await inputError(
      fetchInput({ uri: `${base}/ds/`, contentHash: srcRoot, dest }),
      "hash-mismatch",
    );
    expect(error.path).toBe("sub/notes.txt");
    expect(error.message).toContain("file sub/notes.txt has sha256");
    expect(error.message).toContain(`${base}/ds/`);
    expectNothingLeft(dest);
  });

  it("stops a file at the first byte past its declared size", async () => {
    served["train.csv"] = Buffer.alloc(1 << 20, 1);
    const dest = join(tmp, "data");
    // Declared by Content-Length: refused before the body is read.
    let error = await inputError(
      fetchInput({ uri: `${base}/ds/`, contentHash: srcRoot, dest }),
      "hash-mismatch",
    );
    expect(error.message).toContain(`file train.csv is served as ${1 << 20} bytes`);
    // No Content-Length: refused while streaming.
    chunked = true;
    error = await inputError(fetchInput({ uri: `${base}/ds/`, contentHash: srcRoot, dest }), "hash-mismatch");
    expect(error.message).toContain("file train.csv is longer than the 24 bytes its manifest entry declares");
    expectNothingLeft(dest);
  });

  it("checks the manifest against the content hash before fetching any file", async () => {
    manifest = srcManifest.replace(/^[0-9a-f]{64}/, "0".repeat(64));
    const dest = join(tmp, "data");
    const error = await inputError(
      fetchInput({ uri: `${base}/ds/`, contentHash: srcRoot, dest }),
      "hash-mismatch",
    );
    expect(error.message).toMatch(/manifest's root 0x[0-9a-f]{64} does not match the content hash/);
    expect(requests).toEqual(["/ds/"]);
    expectNothingLeft(dest);
  });

  it("refuses a committed manifest that is not canonical", async () => {
    const lines = srcManifest.trimEnd().split("\n");
    manifest = `${[...lines].reverse().join("\n")}\n`;
    const error = await inputError(
      fetchInput({ uri: `${base}/ds/`, contentHash: outputRootOfManifest(manifest), dest: join(tmp, "d") }),
      "manifest-invalid",
    );
    expect(error.message).toContain("not canonical");
  });

  it("refuses a directory over maxBytes from its manifest, before fetching files", async () => {
    const error = await inputError(
      fetchInput({ uri: `${base}/ds/`, contentHash: srcRoot, dest: join(tmp, "d"), maxBytes: 10 }),
      "too-large",
    );
    expect(error.message).toContain("lists 42 bytes, more than the limit of 10");
    expect(requests).toEqual(["/ds/"]);
  });

  it("fetches a single file, named by the URL's last segment", async () => {
    const root = outputRoot([outputEntryOf("single.csv", files["train.csv"]!)]);
    const result = await fetchInput({
      uri: `${base}/single.csv`,
      contentHash: root,
      dest: join(tmp, "data"),
    });
    expect(result.root).toBe(root);
    expect(readFileSync(join(tmp, "data", "single.csv"), "utf8")).toBe(files["train.csv"]);
    await inputError(
      fetchInput({ uri: `${base}/single.csv`, contentHash: srcRoot, dest: join(tmp, "d") }),
      "hash-mismatch",
    );
  });

  it("refuses a single file over maxBytes, by Content-Length or while streaming", async () => {
    const root = outputRoot([outputEntryOf("single.csv", files["train.csv"]!)]);
    let error = await inputError(
      fetchInput({ uri: `${base}/single.csv`, contentHash: root, dest: join(tmp, "d"), maxBytes: 5 }),
      "too-large",
    );
    expect(error.message).toContain("24 bytes, more than the limit of 5");
    chunked = true;
    error = await inputError(
      fetchInput({ uri: `${base}/single.csv`, contentHash: root, dest: join(tmp, "d"), maxBytes: 5 }),
      "too-large",
    );
    expect(error.message).toContain("more than the limit of 5 bytes");
    expectNothingLeft(join(tmp, "d"));
  });

  it("reports 404 as not-found", async () => {
    const error = await inputError(
      fetchInput({ uri: `${base}/missing.csv`, contentHash: srcRoot, dest: join(tmp, "d") }),
      "not-found",
    );
    expect(error.message).toContain(`${base}/missing.csv answered 404`);
    delete served["sub/notes.txt"];
    await inputError(
      fetchInput({ uri: `${base}/ds/`, contentHash: srcRoot, dest: join(tmp, "d") }),
      "not-found",
    );
    expectNothingLeft(join(tmp, "d"));
  });

  it("reports a server that is down as unreachable, naming the URL", async () => {
    const down = createServer();
    down.listen(0, "127.0.0.1");
    await once(down, "listening");
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/ds/`;
    down.close();
    await once(down, "close");
    const error = await inputError(
      fetchInput({ uri: url, contentHash: srcRoot, dest: join(tmp, "d") }),
      "unreachable",
    );
    expect(error.message).toContain(`${url} is unreachable (ECONNREFUSED)`);
    expectNothingLeft(join(tmp, "d"));
  });

  it("times out a silent server, before the headers and in the middle of a body", async () => {
    let error = await inputError(
      fetchInput({ uri: `${base}/stall`, contentHash: srcRoot, dest: join(tmp, "d"), timeoutMs: 200 }),
      "unreachable",
    );
    expect(error.message).toContain(`${base}/stall sent nothing for 200 ms (timed out)`);
    error = await inputError(
      fetchInput({ uri: `${base}/slow.bin`, contentHash: srcRoot, dest: join(tmp, "d"), timeoutMs: 200 }),
      "unreachable",
    );
    expect(error.message).toContain(`${base}/slow.bin sent nothing for 200 ms (timed out)`);
    expectNothingLeft(join(tmp, "d"));
  });

  it("stops on abort and leaves nothing", async () => {
    const controller = new AbortController();
    const pending = fetchInput({
      uri: `${base}/slow.bin`,
      contentHash: srcRoot,
      dest: join(tmp, "d"),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("operator stopped the agent")), 100);
    await expect(pending).rejects.toThrow("operator stopped the agent");
    expectNothingLeft(join(tmp, "d"));
  });

  it("refuses a URL that names no file, and credentials in a URI", async () => {
    await inputError(fetchInput({ uri: base, contentHash: srcRoot, dest: join(tmp, "d") }), "bad-uri");
    await inputError(
      fetchInput({ uri: `${base}/a%2Fb`, contentHash: srcRoot, dest: join(tmp, "d") }),
      "bad-uri",
    );
    await inputError(
      fetchInput({
        uri: `${base.replace("http://", "http://user:pw@")}/ds/`,
        contentHash: srcRoot,
        dest: join(tmp, "d"),
      }),
      "bad-uri",
    );
    expect(requests).toEqual([]);
  });

  describe("fetchSpec", () => {
    const text = canonicalSpecJson({ kind: "infer", seed: 3, runtime: { data: { file: "x.csv" } } });
    const hash = specHash(text);

    it("reads http, file and data: specs and checks their sha256", async () => {
      served["spec.json"] = text;
      expect(Buffer.from(await fetchSpec({ uri: `${base}/spec.json`, specHash: hash })).toString()).toBe(
        text,
      );
      writeFileSync(join(tmp, "spec.json"), text);
      expect(
        Buffer.from(
          await fetchSpec({ uri: pathToFileURL(join(tmp, "spec.json")).href, specHash: hash }),
        ).toString(),
      ).toBe(text);
      const b64 = `data:application/json;base64,${Buffer.from(text).toString("base64")}`;
      expect(Buffer.from(await fetchSpec({ uri: b64, specHash: hash })).toString()).toBe(text);
      const pct = `data:application/json,${encodeURIComponent(text)}`;
      expect(Buffer.from(await fetchSpec({ uri: pct, specHash: hash })).toString()).toBe(text);
    });

    it("refuses other bytes, too many bytes, directories and ipfs", async () => {
      served["spec.json"] = `${text}\n`;
      const error = await inputError(
        fetchSpec({ uri: `${base}/spec.json`, specHash: hash }),
        "hash-mismatch",
      );
      expect(error.message).toContain(hash);
      expect(error.message).toContain(specHash(`${text}\n`));
      await inputError(fetchSpec({ uri: `${base}/spec.json`, specHash: hash, maxBytes: 10 }), "too-large");
      await inputError(
        fetchSpec({ uri: `data:,${"x".repeat(11)}`, specHash: hash, maxBytes: 10 }),
        "too-large",
      );
      await inputError(fetchSpec({ uri: "data:;base64,@@@", specHash: hash }), "bad-uri");
      await inputError(fetchSpec({ uri: `${base}/ds/`, specHash: hash }), "bad-uri");
      await inputError(fetchSpec({ uri: pathToFileURL(tmp).href, specHash: hash }), "bad-uri");
      await inputError(fetchSpec({ uri: `${base}/nope.json`, specHash: hash }), "not-found");
      await inputError(fetchSpec({ uri: "ipfs://bafy/spec.json", specHash: hash }), "unsupported-scheme");
    });
  });
});
