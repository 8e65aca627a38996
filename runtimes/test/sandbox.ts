// Runs one job container the way the node agent does (docs/runtime-contract.md, "Sandbox"): no
// network unless asked, read-only root, tmpfs /tmp, every capability dropped, no-new-privileges,
// the fixed non-root job user, memory/CPU/pids limits, inputs read-only, /artha/out writable.
// Kept free of test code so the node agent can take it over as is.
import { chmod, chown } from "node:fs/promises";
import type Docker from "dockerode";

/** The job user baked into every runtime image (runtimes/build.sh, runtimes/torch/Dockerfile). */
export const JOB_UID = 10001;
export const JOB_GID = 10001;

export interface SandboxLimits {
  /** Hard memory limit, bytes; swap is not allowed on top of it. */
  readonly memoryBytes: number;
  /** CPU quota in units of 1e-9 CPUs (1e9 = one CPU). */
  readonly nanoCpus: number;
  readonly pidsLimit: number;
  /** Size of the tmpfs mounted at /tmp, bytes. */
  readonly tmpfsBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 2 * 1024 ** 3,
  nanoCpus: 1e9,
  pidsLimit: 256,
  tmpfsBytes: 64 * 1024 ** 2,
};

export interface ExtraMount {
  readonly hostPath: string;
  /** Absolute path in the container; always mounted read-only. */
  readonly containerPath: string;
}

export interface JobRunOptions {
  /** Image reference; pin it by id (sha256:…) so the run is the one that was agreed on. */
  readonly image: string;
  /** Host path of the job spec, mounted at /artha/in/spec.json. */
  readonly specFile: string;
  /** Host directory mounted at /artha/in/model. */
  readonly modelDir?: string;
  /** Host directory mounted at /artha/in/data. */
  readonly dataDir?: string;
  /** Host directory mounted writable at /artha/out; prepare it with prepareOutputDir. */
  readonly outputDir: string;
  readonly extraMounts?: readonly ExtraMount[];
  readonly env?: Readonly<Record<string, string>>;
  /** "none" (the default) or "host" for a job whose spec allows HTTP (host traffic stays on loopback in tests). */
  readonly network?: "none" | "host";
  readonly limits?: Partial<SandboxLimits>;
  /** Kill the container after this long (ms); default 10 minutes. */
  readonly timeoutMs?: number;
  /** Overrides the image's CMD (the entry point stays). */
  readonly cmd?: readonly string[];
  /** Recorded as a container label, to find a job's container. */
  readonly jobId?: string;
}

export interface JobRunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The last non-empty stderr line: by the contract, the reason of a failure. */
  readonly lastErrorLine: string;
  /** Wall time from the start request to the observed exit, ms. */
  readonly startToExitMs: number;
  readonly timedOut: boolean;
  readonly oomKilled: boolean;
}

/** Makes `dir` writable for the job user: owned by it when we may chown, else world-writable. */
export async function prepareOutputDir(dir: string): Promise<void> {
  try {
    await chown(dir, JOB_UID, JOB_GID);
    await chmod(dir, 0o755);
  } catch {
    await chmod(dir, 0o777);
  }
}

/**
 * The environment a job gets: ARTHA_JOB_ID, ARTHA_SEED and one ARTHA_HP_<NAME> per spec
 * hyper-parameter (camelCase to UPPER_SNAKE; numbers and booleans as JSON, strings as they are).
 */
export function jobEnvironment(
  jobId: string,
  spec: { seed?: unknown; hyperparameters?: unknown },
): Record<string, string> {
  const env: Record<string, string> = { ARTHA_JOB_ID: jobId };
  if (typeof spec.seed === "number") env.ARTHA_SEED = String(spec.seed);
  if (spec.hyperparameters && typeof spec.hyperparameters === "object") {
    for (const [name, value] of Object.entries(spec.hyperparameters)) {
      const key = `ARTHA_HP_${name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
      env[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return env;
}

/** Splits Docker's multiplexed log stream (8-byte frame headers: stream id, 3 zero bytes, length). */
export function demuxLogs(raw: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const stream = raw[at];
    const size = raw.readUInt32BE(at + 4);
    const frame = raw.subarray(at + 8, at + 8 + size);
    (stream === 2 ? err : out).push(frame);
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

function mount(source: string, target: string, readOnly: boolean) {
  return { Type: "bind" as const, Source: source, Target: target, ReadOnly: readOnly };
}

/** Runs one job to its end (or its deadline) and removes the container. */
export async function runJobContainer(docker: Docker, opts: JobRunOptions): Promise<JobRunResult> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const mounts = [
    mount(opts.specFile, "/artha/in/spec.json", true),
    ...(opts.modelDir ? [mount(opts.modelDir, "/artha/in/model", true)] : []),
    ...(opts.dataDir ? [mount(opts.dataDir, "/artha/in/data", true)] : []),
    ...(opts.extraMounts ?? []).map((m) => mount(m.hostPath, m.containerPath, true)),
    mount(opts.outputDir, "/artha/out", false),
  ];
  const container = await docker.createContainer({
    Image: opts.image,
    ...(opts.cmd ? { Cmd: [...opts.cmd] } : {}),
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    User: `${JOB_UID}:${JOB_GID}`,
    WorkingDir: "/artha/out",
    Labels: opts.jobId ? { "org.arthaain.job": opts.jobId } : {},
    HostConfig: {
      NetworkMode: opts.network ?? "none",
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${limits.tmpfsBytes}` },
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      NanoCpus: limits.nanoCpus,
      PidsLimit: limits.pidsLimit,
      IpcMode: "private",
      Mounts: mounts,
      LogConfig: { Type: "json-file", Config: { "max-size": "16m", "max-file": "1" } },
    },
  });
  try {
    // Subscribe before starting ("next-exit": a created container already counts as not running).
    const exited = container.wait({ condition: "next-exit" });
    const started = performance.now();
    await container.start();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, opts.timeoutMs ?? 600_000);
    });
    await Promise.race([exited, deadline]);
    clearTimeout(timer);
    if (timedOut) await container.kill().catch(() => undefined);
    const { StatusCode } = (await exited) as { StatusCode: number };
    const startToExitMs = performance.now() - started;
    const info = await container.inspect();
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const { stdout, stderr } = demuxLogs(raw);
    const lines = stderr.split("\n").filter((l) => l.trim() !== "");
    return {
      exitCode: StatusCode,
      stdout,
      stderr,
      lastErrorLine: lines.at(-1) ?? "",
      startToExitMs,
      timedOut,
      oomKilled: info.State.OOMKilled,
    };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
