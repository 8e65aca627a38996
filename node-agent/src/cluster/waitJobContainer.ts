// Waits for a job container to exit, or kills it at its deadline, then reads its verdict and keeps its
// logs on the host. Works on a container that is running, already exited (it finished while the agent
// was down) or only created (the agent died between create and start).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type Docker from "dockerode";
import { ClusterError, httpStatus, toClusterError } from "./clusterError.ts";
import { demuxLogs } from "./demuxLogs.ts";
import { DEADLINE_LABEL } from "./jobLabels.ts";

export interface JobWaitOptions {
  /** Kill time, ms since the epoch; default the deadline the container was started with (its label). */
  readonly deadlineMs?: number;
  /**
   * Where the job's logs are written (stdout and stderr interleaved as the engine recorded them: lines
   * written microseconds apart on the two streams may swap); they outlive the container.
   */
  readonly logFile?: string;
  /** Stops waiting (ClusterError "aborted"); the container keeps running, to be re-attached later. */
  readonly signal?: AbortSignal;
}

export interface JobRunResult {
  readonly containerId: string;
  readonly exitCode: number;
  /** The last non-empty stderr line: by the contract, the reason of a failure. */
  readonly lastErrorLine: string;
  /** Killed at the deadline, or finished after it (while nobody was watching). */
  readonly timedOut: boolean;
  /** The kernel's OOM killer ended it: the job needs more than its memory limit. */
  readonly oomKilled: boolean;
  /** The engine's StartedAt to FinishedAt, ms. */
  readonly startToExitMs: number;
  /** When the container exited, ms since the epoch. */
  readonly finishedAtMs: number;
  /** The host file holding the logs, when one was asked for. */
  readonly logFile?: string;
}

/** A run's result with its logs in memory (runJobContainer; the logs are at most 16 MB by the sandbox). */
export interface JobRunOutput extends JobRunResult {
  readonly stdout: string;
  readonly stderr: string;
}

// setTimeout fires at once beyond 2^31-1 ms (24.8 days); longer deadlines re-arm in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

function untilDeadline(deadlineMs: number, signal: AbortSignal): Promise<"deadline"> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const left = deadlineMs - Date.now();
      if (left <= 0) return resolve("deadline");
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
    arm();
  });
}

/**
 * Docker's RFC 3339 times, ms since the epoch with the sub-millisecond part kept (a short job runs for
 * less than a millisecond); Date.parse does not promise to read nanoseconds.
 */
export function parseDockerTime(text: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0${m[2] ?? ""}`) * 1000;
}

/** waitJobContainer, also returning the logs in memory. */
export async function awaitJobRun(
  docker: Docker,
  containerId: string,
  opts: JobWaitOptions,
): Promise<JobRunOutput> {
  const container = docker.getContainer(containerId);
  const what = `container ${containerId.length === 64 ? containerId.slice(0, 12) : containerId}`;
  const call = <T>(doing: string, request: Promise<T>): Promise<T> =>
    request.catch((error: unknown) => {
      throw toClusterError(docker, error, what, doing, "container-gone");
    });

  let info = await call("inspecting", container.inspect());
  const deadlineMs = opts.deadlineMs ?? Number(info.Config.Labels?.[DEADLINE_LABEL]);
  if (!Number.isFinite(deadlineMs)) {
    throw new ClusterError(
      "invalid-options",
      `${what}: no deadlineMs given and no ${DEADLINE_LABEL} label on it`,
    );
  }
  let killed = false;
  const created = info.State.Status === "created";
  if (created) await call("starting", container.start());
  if (created || info.State.Running) {
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([stop.signal, opts.signal]) : stop.signal;
    try {
      // "not-running" (unlike "next-exit") answers at once for a container that exited meanwhile.
      const exited = call("waiting for", container.wait({ condition: "not-running", abortSignal: signal }));
      exited.catch(() => undefined); // awaited below; this only keeps a late rejection from being unhandled
      const first = await Promise.race([
        exited.then(() => "exited" as const),
        untilDeadline(deadlineMs, signal),
      ]);
      if (first === "deadline") {
        killed = await container.kill().then(
          () => true,
          (error: unknown) => {
            // 409: it exited on its own just now.
            if (httpStatus(error) === 409) return false;
            throw toClusterError(docker, error, what, "killing", "container-gone");
          },
        );
        await exited;
      }
    } finally {
      stop.abort();
    }
    info = await call("inspecting", container.inspect());
  }

  const raw = (await call(
    "reading the logs of",
    container.logs({ stdout: true, stderr: true, follow: false }),
  )) as unknown;
  const logs = demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw ?? "")));
  if (opts.logFile) {
    await mkdir(dirname(opts.logFile), { recursive: true });
    await writeFile(opts.logFile, logs.combined);
  }
  const startedAtMs = parseDockerTime(info.State.StartedAt);
  const finishedAtMs = parseDockerTime(info.State.FinishedAt);
  const lines = logs.stderr.split("\n").filter((l) => l.trim() !== "");
  return {
    containerId: info.Id,
    exitCode: info.State.ExitCode,
    lastErrorLine: lines.at(-1)?.trim() ?? "",
    timedOut: killed || finishedAtMs > deadlineMs,
    oomKilled: info.State.OOMKilled,
    startToExitMs: Math.max(0, finishedAtMs - startedAtMs) || 0,
    finishedAtMs,
    ...(opts.logFile ? { logFile: opts.logFile } : {}),
    stdout: logs.stdout,
    stderr: logs.stderr,
  };
}

/**
 * Waits until the container exits or its deadline comes (then kills it: `timedOut`), writes its logs to
 * `logFile`, and returns the verdict. Does not remove the container (removeJobContainer does).
 */
export async function waitJobContainer(
  docker: Docker,
  containerId: string,
  opts: JobWaitOptions & { readonly logFile: string },
): Promise<JobRunResult> {
  const { stdout: _stdout, stderr: _stderr, ...result } = await awaitJobRun(docker, containerId, opts);
  return result;
}
