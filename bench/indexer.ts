// Indexer figures (`npm run bench:indexer`), on one Hardhat node (a block a second) with a history of at least
// 100 000 indexed events, the indexer on Postgres (ARTHA_BENCH_STORAGE=pglite for the embedded database):
//   raw_getlogs_events_per_s  eth_getLogs of the four contracts over the whole history, 10 000-block ranges:
//                             the most any indexer could read from this node (the baseline)
//   ponder_floor_events_per_s the backfill of the same history by a Ponder app that handles every event by
//                             doing nothing (bench/indexer-floor): what the framework itself costs to fetch,
//                             store and decode the events, before any handler runs
//   events_per_s              the indexer's backfill of the same history (process start → caught up to the head)
//   events_per_s_ratio        events_per_s / raw_getlogs_events_per_s (target >= 0.25)
//   floor_ratio               events_per_s / ponder_floor_events_per_s: how much of the framework's speed the
//                             indexer's handlers keep (1 = they cost nothing)
//   freshness_ms              median time from a job's block being mined to /jobs/:id answering it
//   p50_ms / p99_ms           latency of /jobs/:id at 500 requests/s for 10 s (target p99 < 20 ms), then of
//                             /jobs?state=open and /models/:id/lineage at 200 requests/s, open loop (requests
//                             are sent on schedule whether or not earlier ones have answered), each after 2 s
//                             of warm-up at the same rate (connections opened, statements prepared; its p99
//                             is printed as warmup_p99_ms); served by a `ponder serve` replica on Postgres
//                             (the setup at scale), with PGlite by the indexer itself
//   single_process_p99_ms     the /jobs/:id load served by the indexing process itself (`ponder start` alone)
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
const databases = ["floor", "indexer"].map((name) => `artha_bench_${name}_${process.pid}`);

const dir = mkdtempSync(join(tmpdir(), "artha-bench-indexer-"));
/** Every indexer process started, stopped at the end whatever happens. */
const running: Indexer[] = [];
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

  // A backfill of the same history from a fresh database (Postgres, or PGlite in `dir`), timed from the
  // process start to the head indexed; by the handler-less floor app, then by the indexer itself.
  const deploymentFile = join(dir, "deployment.json");
  writeFileSync(deploymentFile, JSON.stringify(a.deployment));
  async function backfill(name: "floor" | "indexer", port: number) {
    const database = databases[name === "floor" ? 0 : 1]!;
    if (storage === "postgres") {
      execFileSync("psql", [`${POSTGRES}/postgres`, "-qtAc", `CREATE DATABASE ${database}`]);
    }
    const launched = performance.now();
    const served = await startIndexer({
      rpcUrl: chain.rpcUrl,
      deploymentFile,
      port,
      logFile: join(dir, `${name}.log`),
      schema: "bench",
      ...(name === "floor" ? { appDir: join(import.meta.dirname, "indexer-floor") } : {}),
      ...(storage === "postgres"
        ? { databaseUrl: `${POSTGRES}/${database}` }
        : { pgliteDir: join(dir, `pglite-${name}`) }),
    });
    running.push(served);
    await served.caughtUp(head, 1_800_000);
    return { served, rate: events / ((performance.now() - launched) / 1000) };
  }
  const floor = await backfill("floor", 42191);
  await floor.served.stop();
  const { served, rate } = await backfill("indexer", 42190);

  // Reads at scale go to `ponder serve` replicas over the same Postgres schema (docs/indexer.md): their
  // requests never wait behind the indexing work of `ponder start`. PGlite is one process: it serves itself.
  const replica =
    storage === "postgres"
      ? await startIndexer({
          rpcUrl: chain.rpcUrl,
          deploymentFile,
          port: 42192,
          logFile: join(dir, "replica.log"),
          schema: "bench",
          command: "serve",
          databaseUrl: `${POSTGRES}/${databases[1]}`,
        })
      : undefined;
  if (replica) running.push(replica);
  const reads = replica ?? served;

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
      const res = await fetch(`${reads.url}/jobs/${jobId}`);
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
  async function load(base: Indexer, path: () => string, rps: number, seconds: number) {
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
        request(`${base.url}${path()}`).then(
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
  /** `load` after 2 s of warm-up at the same rate; the warm-up's failures count, its latencies do not. */
  async function warmLoad(base: Indexer, path: () => string, rps: number, seconds: number) {
    const warm = await load(base, path, rps, 2);
    const measured = await load(base, path, rps, seconds);
    return { ...measured, failed: warm.failed + measured.failed, warmupP99: warm.p99 };
  }
  const randomJob = () => `/jobs/${1 + Math.floor(Math.random() * jobCount)}`;
  const byId = await warmLoad(reads, randomJob, 500, 10);
  const byState = await warmLoad(reads, () => "/jobs?state=open&limit=20", 200, 5);
  const lineage = await warmLoad(reads, () => "/models/1/lineage", 200, 5);
  // The same /jobs/:id load on the indexing process itself (the one-process setup, as with PGlite).
  const single = replica ? await warmLoad(served, randomJob, 500, 10) : byId;

  console.log(`events: ${events}`);
  console.log(`raw_getlogs_events_per_s: ${fmt(rawRate)}`);
  console.log(`ponder_floor_events_per_s: ${fmt(floor.rate)}`);
  console.log(`events_per_s: ${fmt(rate)}`);
  console.log(`events_per_s_ratio: ${(rate / rawRate).toFixed(3)}`);
  console.log(`events_per_s_target_ratio: 0.25`);
  console.log(`ponder_floor_ratio: ${(floor.rate / rawRate).toFixed(3)}`);
  console.log(`floor_ratio: ${(rate / floor.rate).toFixed(3)}`);
  console.log(`freshness_ms: ${fmt(quantile(freshness, 0.5))}`);
  console.log(`p50_ms: ${fmt(byId.p50)}`);
  console.log(`p99_ms: ${fmt(byId.p99)}`);
  console.log(`p99_target_ms: 20`);
  console.log(`warmup_p99_ms: ${fmt(byId.warmupP99)}`);
  console.log(`single_process_p50_ms: ${fmt(single.p50)}`);
  console.log(`single_process_p99_ms: ${fmt(single.p99)}`);
  console.log(
    `failed_requests: ${byId.failed + byState.failed + lineage.failed + (replica ? single.failed : 0)}`,
  );
  console.log(`jobs_by_state_p50_ms: ${fmt(byState.p50)}`);
  console.log(`jobs_by_state_p99_ms: ${fmt(byState.p99)}`);
  console.log(`lineage_p50_ms: ${fmt(lineage.p50)}`);
  console.log(`lineage_p99_ms: ${fmt(lineage.p99)}`);
  console.log(`storage: ${storage}`);
} finally {
  for (const indexer of running) await indexer.stop();
  await chain.stop();
  // FORCE ends the stopped apps' leftover sessions; it fails while an autovacuum worker is on the database
  // (a process of no role, which a non-superuser may not signal), so it is tried again for a few seconds.
  for (const database of storage === "postgres" ? databases : []) {
    for (let attempt = 1; ; attempt++) {
      try {
        execFileSync(
          "psql",
          [`${POSTGRES}/postgres`, "-qtAc", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`],
          { stdio: "pipe" },
        );
        break;
      } catch (error) {
        if (attempt === 10) {
          console.error(
            `[bench:indexer] database ${database} left behind: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`,
          );
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  // ARTHA_BENCH_KEEP=1 keeps the chain's and the indexer's logs for a look at where the time went.
  if (process.env.ARTHA_BENCH_KEEP) console.error(`[bench:indexer] logs kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
