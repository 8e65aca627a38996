import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The agent's own reader: what the SDK stores must be what agents fetch and verify.
import { fetchSpec } from "../../../../node-agent/src/inputs/fetchSpec.ts";
import { canonicalSpecJson } from "../canonicalSpecJson.ts";
import type { JobSpecInput } from "../jobSpec.ts";
import { JobSpecError } from "../jobSpecError.ts";
import { INLINE_SPEC_MAX_BYTES } from "./specStore.ts";
import { storeSpec } from "./storeSpec.ts";
import { storeSpecInDirectory } from "./storeSpecInDirectory.node.ts";

const train: JobSpecInput = {
  kind: "train",
  seed: 7,
  runtime: { data: { file: "train.csv", label: "label" }, model: { type: "mlp", classes: 3 } },
  hyperparameters: { epochs: 4, note: "ünïcode survives" },
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "artha-spec-store-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("storeSpec inline", () => {
  it("returns a data: URI of the canonical bytes whose sha256 is specHash", async () => {
    const stored = await storeSpec({ kind: "inline" }, train);
    expect(stored.specUri.startsWith("data:application/json;base64,")).toBe(true);
    const decoded = Buffer.from(stored.specUri.slice(stored.specUri.indexOf(",") + 1), "base64");
    expect(new Uint8Array(decoded)).toEqual(stored.bytes);
    expect(decoded.toString("utf8")).toBe(canonicalSpecJson(train));
    expect(sha256(decoded)).toBe(stored.specHash);
    expect(stored.spec.resources.memoryMb).toBe(2048);
    // The agent decodes and verifies it.
    expect(new Uint8Array(await fetchSpec({ uri: stored.specUri, specHash: stored.specHash }))).toEqual(
      stored.bytes,
    );
  });

  it("gives the same URI and hash for the same spec written in another key order", async () => {
    const reordered = {
      hyperparameters: train.hyperparameters,
      runtime: train.runtime,
      seed: 7,
      kind: "train",
    };
    const [a, b] = await Promise.all([
      storeSpec({ kind: "inline" }, train),
      storeSpec({ kind: "inline" }, reordered as JobSpecInput),
    ]);
    expect(b.specUri).toBe(a.specUri);
    expect(b.specHash).toBe(a.specHash);
  });

  it("refuses a spec above the inline limit and suggests another store", async () => {
    const big = { ...train, runtime: { blob: "x".repeat(INLINE_SPEC_MAX_BYTES) } };
    await expect(storeSpec({ kind: "inline" }, big)).rejects.toThrow(
      /inline specs are limited to 8192 bytes.*kind: "directory"/,
    );
  });

  it("validates the spec first and names the wrong field", async () => {
    const error = await storeSpec({ kind: "inline" }, { ...train, resources: { memoryMb: 8 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobSpecError);
    expect((error as JobSpecError).path).toBe("spec.resources.memoryMb");
    expect((error as Error).message).toBe("spec.resources.memoryMb: expected an integer >= 64, got 8");
  });
});

describe("storeSpec directory", () => {
  it("writes <dir>/<sha256>.json once and returns a file:// URI the agent reads", async () => {
    const dir = join(tmp, "specs", "nested");
    const stored = await storeSpec({ kind: "directory", dir }, train);
    const path = fileURLToPath(stored.specUri);
    expect(path).toBe(join(dir, `${stored.specHash.slice(2)}.json`));
    expect(new Uint8Array(readFileSync(path))).toEqual(stored.bytes);
    expect(new Uint8Array(await fetchSpec({ uri: stored.specUri, specHash: stored.specHash }))).toEqual(
      stored.bytes,
    );

    // Storing again keeps the file (same content, same name) and returns the same URI.
    const mtime = statSync(path).mtimeMs;
    const again = await storeSpecInDirectory(dir, train);
    expect(again.specUri).toBe(stored.specUri);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });
});

describe("storeSpec http", () => {
  let server: Server;
  const documents = new Map<string, Buffer>();
  const contentTypes: (string | undefined)[] = [];
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method === "PUT" && req.url?.startsWith("/specs/")) {
          contentTypes.push(req.headers["content-type"]);
          documents.set(req.url, Buffer.concat(chunks));
          res.writeHead(req.url.includes("forbidden") ? 403 : 201).end();
        } else if (req.method === "GET" && req.url && documents.has(req.url)) {
          res.writeHead(200, { "content-type": "application/json" }).end(documents.get(req.url));
        } else {
          res.writeHead(404).end();
        }
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it("PUTs the document under its hash and the agent fetches it back", async () => {
    const stored = await storeSpec({ kind: "http", baseUrl: `${base}/specs`, put: true }, train);
    expect(stored.specUri).toBe(`${base}/specs/${stored.specHash.slice(2)}.json`);
    expect(new Uint8Array(documents.get(`/specs/${stored.specHash.slice(2)}.json`)!)).toEqual(stored.bytes);
    expect(contentTypes).toEqual(["application/json"]);
    expect(new Uint8Array(await fetchSpec({ uri: stored.specUri, specHash: stored.specHash }))).toEqual(
      stored.bytes,
    );
  });

  it("only names the URI without put, and reports a refused upload", async () => {
    const named = await storeSpec({ kind: "http", baseUrl: "https://specs.example/v1/" }, train);
    expect(named.specUri).toBe(`https://specs.example/v1/${named.specHash.slice(2)}.json`);
    await expect(
      storeSpec({ kind: "http", baseUrl: `${base}/specs/forbidden`, put: true }, train),
    ).rejects.toThrow(/HTTP 403/);
    await expect(storeSpec({ kind: "http", baseUrl: "ftp://x/" }, train)).rejects.toThrow(
      /specStore\.baseUrl: expected an http\(s\):\/\/ URL/,
    );
  });
});

describe("browser safety", () => {
  it("keeps node: imports out of the modules the browser entry can reach", () => {
    for (const file of ["storeSpec.ts", "specStore.ts"]) {
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      expect(source).not.toMatch(/from "node:/);
      expect(source).not.toMatch(/(?<!typeof )import\("\.\/storeSpecInDirectory/);
    }
  });
});
