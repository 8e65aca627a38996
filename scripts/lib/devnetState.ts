// What a running devnet left on disk for the commands that come after it: `npm run demo` finds the network
// (RPC, deployment, indexer, runtime image, gossip peers) and `npm run devnet -- down` finds the processes it
// started. Processes are recorded with their kernel start time as well as their pid, so a pid the kernel
// has since given to another program is never signalled.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import Docker from "dockerode";
import type { Address, Hex } from "viem";
import { JOB_LABEL, removeJobContainer } from "../../node-agent/src/cluster/index.ts";

export const DEVNET_DIR = join(import.meta.dirname, "../../.artha/devnet");
export const DEVNET_STATE_FILE = join(DEVNET_DIR, "devnet.json");
/** The ports the devnet owns: the chain's and the indexer's. */
export const DEVNET_PORTS = { chain: 8545, indexer: 42069 } as const;
/** Agent i's (from 1) ports: its API on 7100 + i, its gossip on 4100 + i. */
export const agentPorts = (i: number) => ({ api: 7100 + i, p2p: 4100 + i });

/** A process as the kernel knows it: its pid and when it started (clock ticks since boot). */
export type ProcessRecord = { name: string; pid: number; startTime: string };

/** How to reach a devnet that is up: what `npm run demo` and the requester CLI need. */
export type DevnetNetwork = {
  rpcUrl: string;
  indexerUrl: string;
  deploymentFile: string;
  /** The torch CPU runtime image (sha256:…). */
  torchImage: string;
  /** The agents' gossip addresses, each ending in /p2p/<peer id>. */
  bootstrap: string[];
  requester: Address;
  /** The requester's key: Hardhat's public dev account #1, never a secret. */
  requesterKey: Hex;
};

export type DevnetState = {
  /** The `npm run devnet` process itself: signalling it stops everything below in order. */
  devnet: ProcessRecord;
  /** What it started: the chain, the indexer, the agents. */
  processes: ProcessRecord[];
  startedAt: string;
  /** Set once every part answered its health check. */
  network?: DevnetNetwork;
};

/**
 * The kernel's start time of `pid` (field 22 of /proc/<pid>/stat), or undefined if no such process runs (a
 * zombie, exited but not yet reaped, counts as gone).
 */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

export function processRecord(name: string, pid: number | undefined): ProcessRecord {
  const startTime = pid === undefined ? undefined : startTimeOf(pid);
  if (pid === undefined || startTime === undefined) throw new Error(`${name}: the process is not running`);
  return { name, pid, startTime };
}

/** Whether the recorded process still runs (the same one: same pid and start time). */
export function isRunning(p: ProcessRecord): boolean {
  return startTimeOf(p.pid) === p.startTime;
}

export function writeDevnetState(state: DevnetState): void {
  writeFileSync(DEVNET_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

export function readDevnetState(): DevnetState | undefined {
  try {
    return JSON.parse(readFileSync(DEVNET_STATE_FILE, "utf8")) as DevnetState;
  } catch {
    return undefined;
  }
}

export function removeDevnetState(): void {
  rmSync(DEVNET_STATE_FILE, { force: true });
}

/** The recorded devnet if its process still runs. */
export function runningDevnet(): DevnetState | undefined {
  const state = readDevnetState();
  return state && isRunning(state.devnet) ? state : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits up to `ms` for every process in `list` to exit; returns those still running. */
export async function waitExited(list: ProcessRecord[], ms: number): Promise<ProcessRecord[]> {
  const deadline = Date.now() + ms;
  let left = list.filter(isRunning);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(200);
    left = left.filter(isRunning);
  }
  return left;
}

/** Sends `signal` to the recorded process if it is still the one recorded; one that just exited is fine. */
export function signalProcess(p: ProcessRecord, signal: NodeJS.Signals): void {
  if (!isRunning(p)) return;
  try {
    process.kill(p.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`, to each recorded process still running; returns those it found. */
export async function terminate(list: ProcessRecord[], graceMs = 15_000): Promise<ProcessRecord[]> {
  const alive = list.filter(isRunning);
  for (const p of alive) signalProcess(p, "SIGTERM");
  for (const p of await waitExited(alive, graceMs)) signalProcess(p, "SIGKILL");
  await waitExited(alive, 5_000);
  return alive;
}

/**
 * Removes the job containers whose mounts lie under `dir`: those the devnet's agents started (an agent
 * stopped mid-job leaves its container for a restart to re-attach). Other job containers on the engine,
 * another devnet's or a test's, are left alone. Returns how many it removed.
 */
export async function removeJobContainersUnder(dir: string): Promise<number> {
  const docker = new Docker();
  const containers = await docker.listContainers({ all: true, filters: { label: [JOB_LABEL] } });
  const ours = containers.filter((c) => c.Mounts.some((m) => m.Source?.startsWith(`${dir}${sep}`)));
  for (const c of ours) await removeJobContainer(docker, c.Id);
  return ours.length;
}
