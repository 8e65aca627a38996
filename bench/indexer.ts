// Indexer figures (`npm run bench:indexer`), on one Hardhat node (a block a second) with a history of at least
// 100 000 indexed events, the indexer on Postgres (ARTHA_BENCH_STORAGE=pglite for the embedded database):
//   raw_getlogs_events_per_s  eth_getLogs of the four contracts over the whole history, 10 000-block ranges:
//                             the most any indexer could read from this node (the baseline)
//   events_per_s              the indexer's backfill of the same history (server up → caught up to the head)
//   events_per_s_ratio        events_per_s / raw_getlogs_events_per_s (target >= 0.25)
//   freshness_ms              median time from a job's block being mined to /jobs/:id answering it
//   p50_ms / p99_ms           latency of /jobs/:id at 500 requests/s (target p99 < 20 ms), then of
//                             /jobs?state=open and /models/:id/lineage at 200 requests/s, open loop (requests
//                             are sent on schedule whether or not earlier ones have answered)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent as HttpAgent, get as httpGet } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeRegistryAbi } from "@arthaain/sdk";
import { encodeFunctionData, type Hex, numberToHex } from "viem";
import { deployArtha, TOKEN } from "../scripts/lib/artha.ts";
import { startChain } from "../scripts/lib/startChain.ts";
import { type Indexer, startIndexer } from "../scripts/lib/startIndexer.ts";

const EVENTS = Number(process.env.ARTHA_BENCH_EVENTS ?? 100_000);
const JOBS = 500;
const BATCH = 500;
const storage = process.env.ARTHA_BENCH_STORAGE === "pglite" ? "pglite" : "postgres";
const POSTGRES = process.env.ARTHA_TEST_POSTGRES_URL ?? "postgres://artha:artha@127.0.0.1:5432";
const database = `artha_bench_${process.pid}`;

const dir = mkdtempSync(join(tmpdir(), "artha-bench-indexer-"));
let indexer: Indexer | undefined;
const chain = await startChain({ port: 8571, logFile: join(dir, "chain.log") });
const rpc = async (body: unknown) => {
  const res = await fetch(chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json() as Promise<{ result?: unknown; error?: { message: string } }[]>;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

try {
  const a = await deployArtha(undefined, { name: "localhost", url: chain.rpcUrl });
  const operator = a.operators[0]!;
  await a.registerNode(operator);

  // The history: certifications of a node (one event each) sent in JSON-RPC batches with explicit nonces and
  // gas, so the node mines them as fast as it can; and jobs, for the query figures.
  const admin = a.admin.account.address;
  let nonce = await a.publicClient.getTransactionCount({ address: admin });
  const now = Number((await a.publicClient.getBlock()).timestamp);
  const started = Date.now();
  let lastHash: Hex | undefined;
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    const calls = Array.from({ length: Math.min(BATCH, EVENTS - sent) }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "eth_sendTransaction",
      params: [
        {
          from: admin,
          to: a.nodeRegistry.address,
          gas: numberToHex(80_000),
          nonce: numberToHex(nonce++),
          data: encodeFunctionData({
            abi: nodeRegistryAbi,
            functionName: "certify",
            args: [operator.account.address, 1 + ((sent + i) % 3), now + 86_400 + sent + i],
          }),
        },
      ],
    }));
    const results = await rpc(calls);
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`bench:indexer: sending the history failed: ${failed.error!.message}`);
    lastHash = results.at(-1)!.result as Hex;
  }
  await a.publicClient.waitForTransactionReceipt({ hash: lastHash!, pollingInterval: 500, timeout: 600_000 });
  await a.fund(a.requester.account.address, BigInt(JOBS + 10) * 10n * TOKEN, a.jobManager.address);
  const jm = await a.as(a.jobManager, a.requester);
  let lastJob: Hex | undefined;
  for (let j = 0; j < JOBS; j++) {
    lastJob = await jm.write.submitJob([a.jobRequest({ maxPrice: 10n * TOKEN, bidWindow: 3000 })]);
  }
  await a.publicClient.waitForTransactionReceipt({ hash: lastJob!, pollingInterval: 500 });
  const head = await a.publicClient.getBlockNumber({ cacheTime: 0 });
  console.error(
    `[bench:indexer] history of ${head} blocks sent and mined in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );

  // The baseline: every log of the four contracts, read straight from the node.
  const addresses = Object.values(a.deployment.contracts).filter(
    (x) => x.toLowerCase() !== a.deployment.contracts.token.toLowerCase(),
  );
  const rawStart = performance.now();
  let events = 0;
  for (let from = 0n; from <= head; from += 10_000n) {
    const to = from + 9_999n > head ? head : from + 9_999n;
    const [res] = await rpc([
      {
        jsonrpc: "2.0",
        id: 1,
        method: "eth_getLogs",
        params: [{ address: addresses, fromBlock: numberToHex(from), toBlock: numberToHex(to) }],
      },
    ]);
    events += (res!.result as unknown[]).length;
  }
  const rawSeconds = (performance.now() - rawStart) / 1000;
  const rawRate = events / rawSeconds;

  // The indexer's backfill of the same history.
  const deploymentFile = join(dir, "deployment.json");
  writeFileSync(deploymentFile, JSON.stringify(a.deployment));
  if (storage === "postgres") {
    execFileSync("psql", [`${POSTGRES}/postgres`, "-qtAc", `CREATE DATABASE ${database}`]);
  }
  const launched = performance.now();
  const served = await startIndexer({
    rpcUrl: chain.rpcUrl,
    deploymentFile,
    port: 42190,
    logFile: join(dir, "indexer.log"),
    schema: "bench",
    ...(storage === "postgres"
      ? { databaseUrl: `${POSTGRES}/${database}` }
      : { pgliteDir: join(dir, "pglite") }),
  });
  indexer = served;
  await served.caughtUp(head, 1_800_000);
  const backfillSeconds = (performance.now() - launched) / 1000;
  const rate = events / backfillSeconds;

  // Freshness: a job's transaction seen mined at the node (receipts polled every 10 ms) → the job served.
  const freshness: number[] = [];
  for (let i = 0; i < 10; i++) {
    const jobId = (await a.jobManager.read.jobCount()) + 1n;
    const hash = await jm.write.submitJob([a.jobRequest({ maxPrice: TOKEN, bidWindow: 3000 })]);
    while (!(await a.publicClient.getTransactionReceipt({ hash }).catch(() => undefined))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const mined = performance.now();
    for (;;) {
      const res = await fetch(`${served.url}/jobs/${jobId}`);
      await res.arrayBuffer();
      if (res.ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    freshness.push(performance.now() - mined);
  }

  // Latency under a fixed request rate, open loop: each request is due at its slot and its latency counts
  // from then (a slow server delays later requests; that delay is part of their latency), through a pool
  // of 64 keep-alive connections, as a client library would hold.
  const pool = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const request = (url: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpGet(url, { agent: pool }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error("no answer within 30 s")));
    });
  async function load(path: () => string, rps: number, seconds: number) {
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    const why = new Map<string, number>();
    const note = (reason: string) => {
      why.set(reason, (why.get(reason) ?? 0) + 1);
    };
    const t0 = performance.now();
    const total = rps * seconds;
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rps;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(
        request(`${served.url}${path()}`).then(
          (status) => {
            if (status !== 200) note(`HTTP ${status}`);
            latencies.push(performance.now() - due);
          },
          (error: Error) => note(error.message),
        ),
      );
    }
    await Promise.all(pending);
    const failed = [...why.values()].reduce((x, y) => x + y, 0);
    if (failed)
      console.error(`[bench:indexer] ${path()}: ${[...why].map(([r, n]) => `${n}× ${r}`).join("; ")}`);
    return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), failed };
  }
  const jobCount = Number(await a.jobManager.read.jobCount());
  const byId = await load(() => `/jobs/${1 + Math.floor(Math.random() * jobCount)}`, 500, 10);
  const byState = await load(() => "/jobs?state=open&limit=20", 200, 5);
  const lineage = await load(() => "/models/1/lineage", 200, 5);
  await served.stop();

  console.log(`events: ${events}`);
  console.log(`raw_getlogs_events_per_s: ${fmt(rawRate)}`);
  console.log(`events_per_s: ${fmt(rate)}`);
  console.log(`events_per_s_ratio: ${(rate / rawRate).toFixed(3)}`);
  console.log(`events_per_s_target_ratio: 0.25`);
  console.log(`freshness_ms: ${fmt(quantile(freshness, 0.5))}`);
  console.log(`p50_ms: ${fmt(byId.p50)}`);
  console.log(`p99_ms: ${fmt(byId.p99)}`);
  console.log(`p99_target_ms: 20`);
  console.log(`failed_requests: ${byId.failed + byState.failed + lineage.failed}`);
  console.log(`jobs_by_state_p50_ms: ${fmt(byState.p50)}`);
  console.log(`jobs_by_state_p99_ms: ${fmt(byState.p99)}`);
  console.log(`lineage_p50_ms: ${fmt(lineage.p50)}`);
  console.log(`lineage_p99_ms: ${fmt(lineage.p99)}`);
  console.log(`storage: ${storage}`);
} finally {
  await indexer?.stop();
  await chain.stop();
  if (storage === "postgres") {
    try {
      execFileSync("psql", [
        `${POSTGRES}/postgres`,
        "-qtAc",
        `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
      ]);
    } catch {
      // Left behind: named after this run's pid.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
