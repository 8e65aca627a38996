// How a job container is sandboxed (docs/runtime-contract.md, "Sandbox"): no network unless the spec
// allows egress, read-only root, tmpfs /tmp, every capability dropped, no-new-privileges, the fixed
// non-root job user, memory/CPU/pids/shm limits, inputs read-only, /artha/out writable, GPUs by device
// request. Pure: builds the engine's create options from the job's options and checks them first.
import { isAbsolute } from "node:path";
import type Docker from "dockerode";
import { ClusterError } from "./clusterError.ts";

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
  /** Size of /dev/shm, bytes (PyTorch data loaders share tensors through it). */
  readonly shmBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 2 * 1024 ** 3,
  nanoCpus: 1e9,
  pidsLimit: 256,
  tmpfsBytes: 64 * 1024 ** 2,
  shmBytes: 64 * 1024 ** 2,
};

/** "none": no network; "bridge": outbound allowed (spec `network: "egress"`); "host": tests only. */
export type JobNetwork = "none" | "bridge" | "host";

/** GPUs for the job: any `count` of them, or exactly these (NVML index or `GPU-…` uuid). */
export type GpuRequest = { readonly count: number } | { readonly deviceIds: readonly string[] };

export interface ExtraMount {
  readonly hostPath: string;
  /** Absolute path in the container; always mounted read-only. */
  readonly containerPath: string;
}

export interface JobContainerOptions {
  /** The image id, `sha256:<64 hex>` (the on-chain imageDigest): the run is the one that was agreed on. */
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
  /** Default "none". */
  readonly network?: JobNetwork;
  readonly limits?: Partial<SandboxLimits>;
  readonly gpus?: GpuRequest;
  /** Overrides the image's CMD (the entry point stays). */
  readonly cmd?: readonly string[];
  /** Overrides the image's ENTRYPOINT (tools and tests; a job spec only sets cmd). */
  readonly entrypoint?: readonly string[];
  /**
   * When the container is killed, ms since the epoch. Absolute, so a run re-attached after an agent
   * restart keeps the deadline it started with; recorded on the container as a label.
   */
  readonly deadlineMs: number;
}

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

function invalid(message: string): ClusterError {
  return new ClusterError("invalid-options", message);
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`job container: limits.${name}: expected a positive integer, got ${value}`);
  }
}

/** Checks what the engine would otherwise reject late or, worse, accept with another meaning. */
export function checkJobContainerOptions(opts: JobContainerOptions): SandboxLimits {
  if (!IMAGE_ID.test(opts.image)) {
    throw invalid(
      `job container: image: expected an image id "sha256:<64 lowercase hex>" (pinned, never a tag), got ${JSON.stringify(opts.image)}`,
    );
  }
  const paths: [string, string | undefined][] = [
    ["specFile", opts.specFile],
    ["modelDir", opts.modelDir],
    ["dataDir", opts.dataDir],
    ["outputDir", opts.outputDir],
    ...(opts.extraMounts ?? []).flatMap((m, i): [string, string][] => [
      [`extraMounts[${i}].hostPath`, m.hostPath],
      [`extraMounts[${i}].containerPath`, m.containerPath],
    ]),
  ];
  for (const [name, path] of paths) {
    if (path !== undefined && !isAbsolute(path)) {
      throw invalid(`job container: ${name}: expected an absolute path, got ${JSON.stringify(path)}`);
    }
  }
  if (!Number.isFinite(opts.deadlineMs) || opts.deadlineMs <= 0) {
    throw invalid(`job container: deadlineMs: expected a time in ms since the epoch, got ${opts.deadlineMs}`);
  }
  const network = opts.network ?? "none";
  if (!["none", "bridge", "host"].includes(network)) {
    throw invalid(
      `job container: network: expected "none", "bridge" or "host", got ${JSON.stringify(network)}`,
    );
  }
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  for (const [name, value] of Object.entries(limits)) positiveInteger(name, value);
  const gpus = opts.gpus;
  if (gpus && "count" in gpus && (!Number.isSafeInteger(gpus.count) || gpus.count < 1)) {
    throw invalid(`job container: gpus.count: expected an integer >= 1, got ${gpus.count}`);
  }
  if (gpus && "deviceIds" in gpus && (gpus.deviceIds.length === 0 || gpus.deviceIds.some((d) => !d.trim()))) {
    throw invalid(
      `job container: gpus.deviceIds: expected GPU indexes or uuids, got ${JSON.stringify(gpus.deviceIds)}`,
    );
  }
  return limits;
}

/** The engine's device request for NVIDIA GPUs (what `docker run --gpus` sends, with the driver named). */
export function gpuDeviceRequests(gpus: GpuRequest | undefined): Docker.DeviceRequest[] {
  if (!gpus) return [];
  const which = "count" in gpus ? { Count: gpus.count } : { DeviceIDs: [...gpus.deviceIds] };
  return [{ Driver: "nvidia", ...which, Capabilities: [["gpu"]] }];
}

function mount(source: string, target: string, readOnly: boolean): Docker.MountSettings {
  return { Type: "bind", Source: source, Target: target, ReadOnly: readOnly };
}

/** The HostConfig every job container gets. */
export function sandboxHostConfig(opts: JobContainerOptions): Docker.HostConfig {
  const limits = checkJobContainerOptions(opts);
  const deviceRequests = gpuDeviceRequests(opts.gpus);
  return {
    NetworkMode: opts.network ?? "none",
    ReadonlyRootfs: true,
    Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${limits.tmpfsBytes}` },
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes,
    NanoCpus: limits.nanoCpus,
    PidsLimit: limits.pidsLimit,
    ShmSize: limits.shmBytes,
    IpcMode: "private",
    Mounts: [
      mount(opts.specFile, "/artha/in/spec.json", true),
      ...(opts.modelDir ? [mount(opts.modelDir, "/artha/in/model", true)] : []),
      ...(opts.dataDir ? [mount(opts.dataDir, "/artha/in/data", true)] : []),
      ...(opts.extraMounts ?? []).map((m) => mount(m.hostPath, m.containerPath, true)),
      mount(opts.outputDir, "/artha/out", false),
    ],
    LogConfig: { Type: "json-file", Config: { "max-size": "16m", "max-file": "1" } },
    ...(deviceRequests.length ? { DeviceRequests: deviceRequests } : {}),
  };
}

/** The full create request: sandbox, job user, environment, name and labels. */
export function jobContainerConfig(
  opts: JobContainerOptions,
  name: string,
  labels: Readonly<Record<string, string>>,
): Docker.ContainerCreateOptions {
  return {
    name,
    Image: opts.image,
    ...(opts.entrypoint ? { Entrypoint: [...opts.entrypoint] } : {}),
    ...(opts.cmd ? { Cmd: [...opts.cmd] } : {}),
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    User: `${JOB_UID}:${JOB_GID}`,
    WorkingDir: "/artha/out",
    Labels: { ...labels },
    HostConfig: sandboxHostConfig(opts),
  };
}
