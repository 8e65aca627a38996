// getJobLogs, getJobArtifacts and saveJobArtifacts against real parts: a job claimed and with its result
// submitted on an in-process Hardhat chain, and the node agent's own HTTP API serving that job's logs and
// outputs from a real directory, at the URL the node registered in NodeRegistry.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startApi } from "../../../../node-agent/src/api/startApi.ts";
import { createMetrics } from "../../../../node-agent/src/metrics/createMetrics.ts";
import { openStore, type Store } from "../../../../node-agent/src/state/openStore.ts";
import { toJobEvents } from "../../../../node-agent/src/watch/jobEvents.ts";
import { type Artha, deployArtha, TOKEN } from "../../../../scripts/lib/artha.ts";
import type { ArthaReadContext, ArthaWriteContext } from "../../client/context.ts";
import { outputRootOfDirectory } from "../../outputs/outputRoot.node.ts";
import { getJobArtifacts } from "./getJobArtifacts.ts";
import { getJobLogs } from "./getJobLogs.ts";
import { artifactPath, saveJobArtifacts } from "./saveJobArtifacts.node.ts";

const dir = mkdtempSync(join(tmpdir(), "artha-sdk-logs-"));
const jobDir = (id: bigint, attempt: number) => join(dir, "jobs", `${id}-${attempt}`);
const outputs: Record<string, string> = {
  "model.bin": "weights v1",
  "checkpoints/step-1.bin": "early weights",
  "eval/results final.json": '{"accuracy":0.97}',
  "notes/résumé.txt": "unicode name",
};
const LOG = "epoch 1 loss 0.5\nepoch 2 loss 0.3\n";

let a: Artha;
let api: Awaited<ReturnType<typeof startApi>>;
let store: Store;
let read: ArthaReadContext;
let asRequester: ArthaWriteContext;
let jobId: bigint; // claimed by `runner`, result submitted, served by the API
let otherJob: bigint; // claimed by `other`, which never ran it
let openJob: bigint; // never claimed
let root: Hex;
let out: string;

type Wallet = Artha["wallets"][number];
async function setApiUrl(wallet: Wallet, apiUrl: string) {
  const registry = await a.as(a.nodeRegistry, wallet);
  await a.mined(
    registry.write.update([
      {
        capabilities: {
          gpuCount: 1,
          vramGbPerGpu: 24,
          cpuCores: 16,
          ramGb: 64,
          runtimeFlags: 1,
          gpuModel: "NVIDIA GeForce RTX 4090",
        },
        peerId: `12D3KooW${wallet.account.address.slice(2, 14)}`,
        multiaddrs: ["/ip4/127.0.0.1/tcp/4001"],
        apiUrl,
      },
    ]),
  );
}

/** A URL where nothing listens: a port the OS handed out, then closed again. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  a = await deployArtha();
  const [runner, other] = a.operators;
  store = openStore(join(dir, "agent.db"));
  api = await startApi(
    {
      store,
      metrics: createMetrics(),
      deployment: a.deployment,
      address: runner!.account.address,
      jobDir,
      health: () => ({}),
    },
    { host: "127.0.0.1", port: 0 },
  );
  for (const w of [runner!, other!]) {
    await a.registerNode(w);
    await setApiUrl(w, `${api.url}/`); // a trailing slash, as operators often write it
  }

  ({ jobId } = await a.submitJob());
  ({ jobId: otherJob } = await a.submitJob());
  await a.timeTo((await a.record(otherJob)).bidEnd);
  await a.claim(runner!, jobId, 60n * TOKEN);
  await a.claim(other!, otherJob, 60n * TOKEN);
  await a.timeTo(await a.claimEnd(otherJob));

  out = join(jobDir(jobId, 0), "out");
  for (const [path, content] of Object.entries(outputs)) {
    mkdirSync(join(out, path, ".."), { recursive: true });
    writeFileSync(join(out, path), content);
  }
  writeFileSync(join(jobDir(jobId, 0), "job.log"), LOG);
  root = (await outputRootOfDirectory(out)).root;
  await a.submitResult(runner!, jobId, root);
  ({ jobId: openJob } = await a.submitJob());

  // The agent's store as its watcher would have filled it: every job event, and its own work on the job.
  const logs = await a.publicClient.getLogs({ address: a.jobManager.address, fromBlock: 0n });
  store.applyBatch({
    fromBlock: 0n,
    toBlock: await a.publicClient.getBlockNumber(),
    events: toJobEvents(logs),
  });
  store.setWork(jobId, "submitted", { attempt: 0, outputRoot: root });

  asRequester = a.sdkContext(a.requester);
  read = asRequester;
});

afterAll(async () => {
  await api?.stop();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** global fetch, counted. */
const countingFetch = () => vi.fn((input: string | URL | Request, init?: RequestInit) => fetch(input, init));

describe("getJobLogs", () => {
  it("fetches the logs for the job's requester, signing the node's challenge", async () => {
    const spy = countingFetch();
    expect(await getJobLogs(asRequester, { jobId, fetch: spy })).toBe(LOG);
    expect(spy.mock.calls.map(([url]) => String(url))).toEqual([
      `${api.url}/jobs/${jobId}/logs/challenge`,
      `${api.url}/jobs/${jobId}/logs`,
    ]);
    // Each read takes a fresh challenge, so a second read works too.
    expect(await getJobLogs(asRequester, { jobId })).toBe(LOG);
  });

  it("refuses another wallet before contacting the node, naming both addresses", async () => {
    const stranger = a.operators[5]!;
    const spy = countingFetch();
    const err = await getJobLogs({ ...read, walletClient: stranger as never }, { jobId, fetch: spy }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(getAddress(a.requester.account.address));
    expect((err as Error).message).toContain(getAddress(stranger.account.address));
    expect(spy).not.toHaveBeenCalled();
  });

  it("refuses a job no node has claimed, before contacting any node", async () => {
    const spy = countingFetch();
    await expect(getJobLogs(asRequester, { jobId: openJob, fetch: spy })).rejects.toThrow(
      new RegExp(`job ${openJob} has not been claimed yet \\(state Open\\)`),
    );
    expect(spy).not.toHaveBeenCalled();
  });

  it("reports the node's refusal with its status and message", async () => {
    // `other` points at the same API, which never ran otherJob.
    await expect(getJobLogs(asRequester, { jobId: otherJob })).rejects.toThrow(
      new RegExp(
        `refused a logs challenge for job ${otherJob}: HTTP 404: job ${otherJob} did not run on this node`,
      ),
    );
  });

  it("names the URL of a node that is down, and says when a node has no API URL", async () => {
    const other = a.operators[1]!;
    const url = await deadUrl();
    await setApiUrl(other, url);
    await expect(getJobLogs(asRequester, { jobId: otherJob })).rejects.toThrow(
      new RegExp(`node ${getAddress(other.account.address)} at ${url} is unreachable .*ECONNREFUSED`),
    );
    await setApiUrl(other, "");
    await expect(getJobLogs(asRequester, { jobId: otherJob })).rejects.toThrow(/has no API URL/);
    await setApiUrl(other, `${api.url}/`);
  });
});

describe("getJobArtifacts", () => {
  it("downloads every output and verifies it against the on-chain output root", async () => {
    const { outputRoot, files } = await getJobArtifacts(read, { jobId });
    expect(outputRoot).toBe(root);
    expect(outputRoot).toBe((await a.record(jobId)).outputRoot);
    // Manifest order: paths sorted by their UTF-8 bytes.
    expect(files.map((f) => f.path)).toEqual([
      "checkpoints/step-1.bin",
      "eval/results final.json",
      "model.bin",
      "notes/résumé.txt",
    ]);
    for (const f of files) expect(new TextDecoder().decode(f.bytes)).toBe(outputs[f.path]);
  });

  it("refuses a job without a result on-chain", async () => {
    await expect(getJobArtifacts(read, { jobId: otherJob })).rejects.toThrow(
      new RegExp(`job ${otherJob} has no result on-chain yet \\(state Claimed\\)`),
    );
  });

  it("saveJobArtifacts writes the verified tree, which hashes to the same root", async () => {
    const target = join(dir, "saved", "job");
    const saved = await saveJobArtifacts(read, { jobId, dir: target });
    expect(saved.outputRoot).toBe(root);
    expect(saved.files).toEqual(
      Object.entries(outputs)
        .map(([path, content]) => ({ path, size: Buffer.byteLength(content) }))
        .sort((x, y) => Buffer.compare(Buffer.from(x.path), Buffer.from(y.path))),
    );
    for (const [path, content] of Object.entries(outputs)) {
      expect(readFileSync(join(target, path), "utf8")).toBe(content);
    }
    expect((await outputRootOfDirectory(target)).root).toBe(root);
  });

  it("saveJobArtifacts does not write through a symlink already in the target directory", async () => {
    const target = join(dir, "saved-symlink");
    const elsewhere = join(dir, "elsewhere");
    mkdirSync(target, { recursive: true });
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(target, "checkpoints"));
    await expect(saveJobArtifacts(read, { jobId, dir: target })).rejects.toThrow(
      /checkpoints is a symbolic link/,
    );
    expect(existsSync(join(elsewhere, "step-1.bin"))).toBe(false);
  });

  it("artifactPath keeps every output inside the target directory", () => {
    const base = join(dir, "base");
    expect(artifactPath(base, "a/b.txt")).toBe(join(base, "a", "b.txt"));
    expect(artifactPath(base, "..x")).toBe(join(base, "..x"));
    for (const bad of ["..", "../x", "a/../../x", "/etc/passwd", "./a", "a//b", ""]) {
      expect(() => artifactPath(base, bad), bad).toThrow(/output path/);
    }
  });

  it("refuses outputs changed on the node's disk: the manifest no longer matches the on-chain root", async () => {
    const file = join(out, "model.bin");
    writeFileSync(file, "weights v2"); // same size, one byte different
    try {
      const changed = (await outputRootOfDirectory(out)).root;
      const err = await getJobArtifacts(read, { jobId }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(`hashes to ${changed}, not to the output root ${root}`);
      const target = join(dir, "saved-changed");
      await expect(saveJobArtifacts(read, { jobId, dir: target })).rejects.toThrow(/not to the output root/);
      expect(existsSync(target)).toBe(false);
    } finally {
      writeFileSync(file, outputs["model.bin"]!);
    }
  });

  it("refuses a file changed after the node served the manifest, naming it, and returns nothing", async () => {
    const file = join(out, "checkpoints/step-1.bin");
    // The real API and disk; the only hook: the file changes on disk once the manifest has been served.
    const tamperAfterManifest = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (String(input).endsWith("/outputs/")) writeFileSync(file, "EARLY weights");
      return res;
    });
    try {
      const err = await getJobArtifacts(read, { jobId, fetch: tamperAfterManifest }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        /^output checkpoints\/step-1\.bin of job \d+ from node .* has sha256 [0-9a-f]{64}, not the [0-9a-f]{64} its committed manifest lists/,
      );
      writeFileSync(file, outputs["checkpoints/step-1.bin"]!);
      const target = join(dir, "saved-tampered");
      await expect(
        saveJobArtifacts(read, { jobId, dir: target, fetch: tamperAfterManifest }),
      ).rejects.toThrow(/output checkpoints\/step-1\.bin/);
      expect(existsSync(target)).toBe(false);
    } finally {
      writeFileSync(file, outputs["checkpoints/step-1.bin"]!);
    }
    // Restored, it verifies again.
    expect((await getJobArtifacts(read, { jobId })).outputRoot).toBe(root);
  });
});
