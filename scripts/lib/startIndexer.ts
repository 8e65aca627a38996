// The indexer (Ponder, `ponder start`) in its own process on 127.0.0.1, for tests, benchmarks and the devnet:
// started against a chain and a deployment file, ready when its backfill is done, caught up to a block on
// request, stopped cleanly. Its log goes to a file.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const indexerDir = join(import.meta.dirname, "../../indexer");
const ponderBin = join(import.meta.dirname, "../../node_modules/.bin/ponder");

export type StartIndexerOptions = {
  rpcUrl: string;
  deploymentFile: string;
  port: number;
  logFile: string;
  /** Database schema (Ponder's --schema): one per chain run, or a restart resumes another chain's rows. */
  schema: string;
  /** PGlite directory ("memory://" for a throwaway); ignored with `databaseUrl`. */
  pgliteDir?: string;
  /** A Postgres URL instead of PGlite. */
  databaseUrl?: string;
  /** How often Ponder polls the chain, ms (default 250). */
  pollMs?: number;
  /** Another Ponder app's folder instead of indexer/ (bench:indexer's handler-less floor). */
  appDir?: string;
  /**
   * "serve": only the HTTP API (`ponder serve`) over the schema a `ponder start` of the same app indexes
   * into; Postgres only. A read replica: its requests never wait behind indexing work. Default "start".
   */
  command?: "start" | "serve";
};

export type Indexer = {
  url: string;
  process: ChildProcess;
  /** GET `path` as JSON; throws with the body on a non-2xx status. */
  get<T = unknown>(path: string): Promise<T>;
  /** Waits until the indexer has indexed block `n` (its /status), up to `timeoutMs`. */
  caughtUp(n: bigint | number, timeoutMs?: number): Promise<void>;
  stop(): Promise<number | null>;
};

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  child: ChildProcess,
  log: string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `the indexer exited (code ${child.exitCode}) while waiting for ${what}; see ${log}${logTail(log)}`,
      );
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; see ${log}${logTail(log)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The log's last lines, for an error: callers such as the benches remove their directory on the way out. */
function logTail(log: string, lines = 20): string {
  try {
    const tail = readFileSync(log, "utf8").trimEnd().split("\n").slice(-lines);
    return `; its last ${tail.length} lines:\n${tail.join("\n")}`;
  } catch {
    return "";
  }
}

/** Starts `ponder start` for the deployment and waits until /ready answers 200 (up to 120 s). */
export async function startIndexer(o: StartIndexerOptions): Promise<Indexer> {
  const url = `http://127.0.0.1:${o.port}`;
  if (
    await fetch(`${url}/health`).then(
      () => true,
      () => false,
    )
  ) {
    throw new Error(`something already answers on ${url}; stop it first`);
  }
  mkdirSync(dirname(o.logFile), { recursive: true });
  const out = openSync(o.logFile, "a");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ARTHA_INDEXER_RPC_URL: o.rpcUrl,
    ARTHA_INDEXER_DEPLOYMENT: o.deploymentFile,
    ARTHA_INDEXER_POLL_MS: String(o.pollMs ?? 250),
    ...(o.databaseUrl
      ? { DATABASE_URL: o.databaseUrl }
      : { ARTHA_INDEXER_PGLITE: o.pgliteDir ?? "memory://", DATABASE_URL: "" }),
  };
  // Ponder reads PORT over --port.
  delete env.PORT;
  if (!o.databaseUrl) delete env.DATABASE_URL;
  const child = spawn(
    ponderBin,
    [
      o.command ?? "start",
      "--schema",
      o.schema,
      "--port",
      String(o.port),
      "--hostname",
      "127.0.0.1",
      "--log-format",
      "json",
    ],
    { cwd: o.appDir ?? indexerDir, env, stdio: ["ignore", out, out] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const indexer: Indexer = {
    url,
    process: child,
    async get<T>(path: string): Promise<T> {
      const res = await fetch(`${url}${path}`);
      const text = await res.text();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
    async caughtUp(n, timeoutMs = 60_000) {
      await until(
        `block ${n} to be indexed`,
        async () => {
          const status = await indexer.get<Record<string, { block?: { number: number } }>>("/status");
          return Object.values(status).some((chain) => (chain.block?.number ?? -1) >= Number(n));
        },
        timeoutMs,
        child,
        o.logFile,
      );
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
  try {
    await until(
      "the indexer to be ready",
      async () => (await fetch(`${url}/ready`)).status === 200,
      120_000,
      child,
      o.logFile,
    );
  } catch (error) {
    await indexer.stop();
    throw error;
  }
  return indexer;
}

/** The indexer's log lines (JSON) whose msg matches `pattern`. */
export function indexerLogLines(logFile: string, pattern: RegExp): string[] {
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => pattern.test(line));
}
