import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getJobRecord, JobState } from "@arthaain/sdk";
import { createPublicClient, http, type PublicClient } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { deployArtha, TOKEN } from "../../../scripts/lib/artha.ts";
import { openStore } from "../state/openStore.ts";
import { type JobEventBatch, watchJobEvents } from "./watchJobEvents.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Reads batches until `until` says the batches so far suffice, the source ends, or 20 s pass. */
async function collect(
  source: AsyncGenerator<JobEventBatch>,
  until: (batches: JobEventBatch[]) => boolean,
): Promise<JobEventBatch[]> {
  // next() by hand: a for-await `break` would close the generator, and one test reads on after a pause.
  const batches: JobEventBatch[] = [];
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const step = await source.next();
    if (step.done) break;
    batches.push(step.value);
    if (until(batches)) break;
  }
  return batches;
}
const eventsOf = (batches: JobEventBatch[]) => batches.flatMap((b) => b.events);

/**
 * Serves a Hardhat chain's JSON-RPC over HTTP on 127.0.0.1, and can take the endpoint down and bring it
 * back on the same port: a real outage for an HTTP client (connection refused), with the chain going on.
 */
async function serveOverHttp(provider: {
  request: (args: { method: string; params?: unknown[] }) => Promise<unknown>;
}) {
  const handle = async (body: { id: unknown; method: string; params?: unknown[] }) => {
    try {
      const result = await provider.request({ method: body.method, params: body.params });
      return { jsonrpc: "2.0", id: body.id, result };
    } catch (e) {
      const err = e as { code?: number; message: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: body.id,
        error: { code: err.code ?? -32603, message: err.message, data: err.data },
      };
    }
  };
  const json = (v: unknown) =>
    JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `0x${x.toString(16)}` : x));
  let server: Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer(async (req, res) => {
        let text = "";
        for await (const chunk of req) text += chunk;
        const body = JSON.parse(text);
        const out = Array.isArray(body) ? await Promise.all(body.map(handle)) : await handle(body);
        res.writeHead(200, { "content-type": "application/json" }).end(json(out));
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server?.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await start();
  return { url: `http://127.0.0.1:${port}`, start, stop };
}

describe("watchJobEvents against a Hardhat chain", () => {
  it("backfills every job event in chain order with the job's record, then follows the head", async () => {
    const a = await deployArtha();
    const client = a.publicClient as unknown as PublicClient;
    const node = a.operators[0]!;
    await a.registerNode(node);
    const { jobId: j1 } = await a.submitJob(a.jobRequest());
    const { jobId: j2 } = await a.submitJob(a.jobRequest({ maxPrice: 50n * TOKEN }));
    await a.timeTo(BigInt((await a.record(j1)).bidEnd));
    await a.claim(node, j1, 40n * TOKEN);

    const watch = watchJobEvents({
      client,
      jobManager: a.jobManager.address,
      fromBlock: 0n,
      confirmations: 0,
      pollIntervalMs: 50,
      maxBlockRange: 5n, // several getLogs ranges for one short history
    });
    const backfill = eventsOf(await collect(watch, (b) => eventsOf(b).length >= 3));
    expect(backfill.map((e) => [e.name, e.jobId])).toEqual([
      ["JobSubmitted", j1],
      ["JobSubmitted", j2],
      ["JobClaimed", j1],
    ]);
    expect(backfill[2]!.job).toEqual(await a.record(j1));
    expect(backfill[2]!.job.state).toBe(JobState.Claimed);

    // Live: a change made now arrives on the same generator, after the backfill.
    await a.cancel(j2);
    const live = eventsOf(await collect(watch, (b) => eventsOf(b).length >= 1));
    expect(live.map((e) => [e.name, e.jobId])).toEqual([["JobCancelled", j2]]);
    expect(live[0]!.job).toEqual(await getJobRecord(client, { jobManager: a.jobManager.address, jobId: j2 }));
    await watch.return(undefined);
  });

  it("holds back events until they have the asked confirmations", async () => {
    const a = await deployArtha();
    const client = a.publicClient as unknown as PublicClient;
    const { receipt } = await a.submitJob(a.jobRequest());
    const abort = new AbortController();
    const watch = watchJobEvents({
      client,
      jobManager: a.jobManager.address,
      fromBlock: receipt.blockNumber,
      confirmations: 3,
      pollIntervalMs: 20,
      signal: abort.signal,
    });
    const early = setTimeout(() => abort.abort(), 500);
    const before = eventsOf(await collect(watch, () => false));
    clearTimeout(early);
    expect(before).toEqual([]); // the head is only the submit block: not confirmed yet

    await a.conn.networkHelpers.mine(3);
    const after = eventsOf(
      await collect(
        watchJobEvents({
          client,
          jobManager: a.jobManager.address,
          fromBlock: receipt.blockNumber,
          confirmations: 3,
        }),
        (b) => eventsOf(b).length >= 1,
      ),
    );
    expect(after.map((e) => e.name)).toEqual(["JobSubmitted"]);
  });

  it("never yields a block that a reorg shallower than its confirmations replaced", async () => {
    const a = await deployArtha();
    const client = a.publicClient as unknown as PublicClient;
    const provider = a.conn.provider;
    const start = (await client.getBlockNumber()) + 1n;
    const snapshot = await provider.request({ method: "evm_snapshot", params: [] });
    // Branch 1: job 1 asks 77 tokens; two blocks on top, one short of the 3 confirmations.
    await a.submitJob(a.jobRequest({ maxPrice: 77n * TOKEN }));
    await a.conn.networkHelpers.mine(1);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 500);
    const seen = eventsOf(
      await collect(
        watchJobEvents({
          client,
          jobManager: a.jobManager.address,
          fromBlock: start,
          confirmations: 3,
          pollIntervalMs: 20,
          signal: abort.signal,
        }),
        () => false,
      ),
    );
    clearTimeout(timer);
    expect(seen).toEqual([]);
    // The reorg: back to the fork point, and branch 2's job 1 asks 55 tokens, buried deep enough.
    await provider.request({ method: "evm_revert", params: [snapshot] });
    await a.submitJob(a.jobRequest({ maxPrice: 55n * TOKEN }));
    await a.conn.networkHelpers.mine(3);
    const after = eventsOf(
      await collect(
        watchJobEvents({ client, jobManager: a.jobManager.address, fromBlock: start, confirmations: 3 }),
        (b) => eventsOf(b).length >= 1,
      ),
    );
    expect(after.map((e) => [e.name, e.jobId, e.job.maxPrice])).toEqual([["JobSubmitted", 1n, 55n * TOKEN]]);
    expect(after[0]!.job).toEqual(await a.record(1n));
  });

  it("rides out a real RPC outage (the HTTP endpoint goes down, then back) and loses no event", async () => {
    const a = await deployArtha();
    const rpc = await serveOverHttp(a.conn.provider);
    const client = createPublicClient({ transport: http(rpc.url, { retryCount: 0 }) });
    const { jobId: before } = await a.submitJob(a.jobRequest());
    const errors: number[] = [];
    const watch = watchJobEvents({
      client,
      jobManager: a.jobManager.address,
      fromBlock: 0n,
      confirmations: 0,
      pollIntervalMs: 20,
      onRpcError: (_e, attempt, retryIn) => errors.push(attempt, retryIn),
    });
    try {
      expect(eventsOf(await collect(watch, (b) => eventsOf(b).length >= 1)).map((e) => e.jobId)).toEqual([
        before,
      ]);

      await rpc.stop(); // connection refused from now on
      const { jobId: during } = await a.submitJob(a.jobRequest()); // mined while the watcher cannot see
      const pending = collect(watch, (b) => eventsOf(b).length >= 1);
      while (errors.length < 4) await new Promise((r) => setTimeout(r, 50));
      await rpc.start();
      expect(eventsOf(await pending).map((e) => [e.name, e.jobId])).toEqual([["JobSubmitted", during]]);
      expect(errors.slice(0, 4)).toEqual([1, 250, 2, 500]); // attempt, then the backoff before the retry
    } finally {
      await watch.return(undefined);
      await rpc.stop();
    }
  });

  it("resumes after a restart from the store's cursor, without replaying stored events", async () => {
    const a = await deployArtha();
    const client = a.publicClient as unknown as PublicClient;
    const dir = mkdtempSync(join(tmpdir(), "artha-store-"));
    dirs.push(dir);
    const path = join(dir, "agent.db");
    const { jobId: j1 } = await a.submitJob(a.jobRequest());

    const store = openStore(path);
    expect(store.cursor()).toBeUndefined();
    const first = await collect(
      watchJobEvents({ client, jobManager: a.jobManager.address, fromBlock: 0n, confirmations: 0 }),
      (b) => eventsOf(b).length >= 1,
    );
    for (const b of first) store.applyBatch(b);
    store.close();

    const { jobId: j2 } = await a.submitJob(a.jobRequest());
    const reopened = openStore(path); // as after kill -9 and a restart
    const cursor = reopened.cursor()!;
    expect(reopened.job(j1)?.lastEvent).toBe("JobSubmitted");
    const second = await collect(
      watchJobEvents({ client, jobManager: a.jobManager.address, fromBlock: cursor, confirmations: 0 }),
      (b) => eventsOf(b).length >= 1,
    );
    for (const b of second) reopened.applyBatch(b);
    expect(eventsOf(second).map((e) => e.jobId)).toEqual([j2]);
    expect(reopened.jobs().map((j) => [j.jobId, j.job.state])).toEqual([
      [j1, JobState.Open],
      [j2, JobState.Open],
    ]);
    expect(reopened.job(j2)!.job).toEqual(await a.record(j2));
    reopened.close();
  });
});
