// The sandbox as the engine applies it: the create request, what `docker inspect` shows, and what a
// process inside the container actually gets (user, capabilities, network, read-only root, shm, pids).
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterError } from "./clusterError.ts";
import { createJobContainer } from "./createJobContainer.ts";
import { findJobContainer } from "./findJobContainer.ts";
import { removeJobContainer } from "./removeJobContainer.ts";
import { runJobContainer } from "./runJobContainer.ts";
import { gpuDeviceRequests, sandboxHostConfig } from "./sandbox.ts";
import { startJobContainer } from "./startJobContainer.ts";
import { createJobFiles } from "./testJobFiles.ts";

const docker = new Docker();
let files: Awaited<ReturnType<typeof createJobFiles>>;
beforeAll(async () => {
  files = await createJobFiles();
});
afterAll(() => files?.dispose());

const MiB = 1024 ** 2;
const IMAGE = `sha256:${"ab".repeat(32)}`;
const base = { image: IMAGE, specFile: "/j/spec.json", outputDir: "/j/out", deadlineMs: Date.now() + 60_000 };

describe("sandboxHostConfig (pure)", () => {
  it("turns a GPU request into the engine's nvidia device request", () => {
    expect(gpuDeviceRequests({ count: 2 })).toEqual([
      { Driver: "nvidia", Count: 2, Capabilities: [["gpu"]] },
    ]);
    expect(gpuDeviceRequests({ deviceIds: ["0", "GPU-3f1c"] })).toEqual([
      { Driver: "nvidia", DeviceIDs: ["0", "GPU-3f1c"], Capabilities: [["gpu"]] },
    ]);
    expect(sandboxHostConfig({ ...base, gpus: { deviceIds: ["1"] } }).DeviceRequests).toEqual([
      { Driver: "nvidia", DeviceIDs: ["1"], Capabilities: [["gpu"]] },
    ]);
    expect(sandboxHostConfig(base).DeviceRequests).toBeUndefined();
  });

  it("mounts the inputs read-only and only /artha/out writable, with the default limits", () => {
    const hc = sandboxHostConfig({ ...base, modelDir: "/j/model", dataDir: "/j/data" });
    expect(hc.Mounts).toEqual([
      { Type: "bind", Source: "/j/spec.json", Target: "/artha/in/spec.json", ReadOnly: true },
      { Type: "bind", Source: "/j/model", Target: "/artha/in/model", ReadOnly: true },
      { Type: "bind", Source: "/j/data", Target: "/artha/in/data", ReadOnly: true },
      { Type: "bind", Source: "/j/out", Target: "/artha/out", ReadOnly: false },
    ]);
    expect(hc).toMatchObject({
      NetworkMode: "none",
      Memory: 2048 * MiB,
      MemorySwap: 2048 * MiB,
      NanoCpus: 1e9,
      PidsLimit: 256,
      ShmSize: 64 * MiB,
    });
  });

  it.each([
    [{ image: "arthaain/torch-cpu:0.1.0" }, /image: expected an image id "sha256:<64 lowercase hex>"/],
    [{ image: `sha256:${"AB".repeat(32)}` }, /image: expected an image id/],
    [{ outputDir: "out" }, /outputDir: expected an absolute path, got "out"/],
    [{ limits: { memoryBytes: 1.5 } }, /limits.memoryBytes: expected a positive integer, got 1.5/],
    [{ limits: { shmBytes: 0 } }, /limits.shmBytes: expected a positive integer, got 0/],
    [{ gpus: { count: 0 } }, /gpus.count: expected an integer >= 1, got 0/],
    [{ gpus: { deviceIds: [] } }, /gpus.deviceIds: expected GPU indexes or uuids/],
    [{ deadlineMs: Number.NaN }, /deadlineMs: expected a time in ms since the epoch/],
    [{ network: "egress" as "none" }, /network: expected "none", "bridge" or "host"/],
  ])("refuses %j before anything reaches the engine", (patch, message) => {
    let error: unknown;
    try {
      sandboxHostConfig({ ...base, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).code).toBe("invalid-options");
    expect((error as Error).message).toMatch(message);
  });
});

describe("sandbox on the engine", () => {
  it("creates the container with every sandbox flag, its name and its labels", async () => {
    const opts = await files.job("true", {
      limits: {
        memoryBytes: 96 * MiB,
        nanoCpus: 5e8,
        pidsLimit: 48,
        shmBytes: 16 * MiB,
        tmpfsBytes: 8 * MiB,
      },
      env: { ARTHA_JOB_ID: "41" },
      deadlineMs: 1_900_000_000_000,
    });
    const { containerId, name } = await createJobContainer(docker, { ...opts, jobId: 41n, attempt: 3 });
    try {
      expect(name).toBe("artha-job-41-3");
      const info = await docker.getContainer(containerId).inspect();
      expect(info.Name).toBe("/artha-job-41-3");
      expect(info.Image).toBe(files.image);
      expect(info.Config.User).toBe("10001:10001");
      expect(info.Config.WorkingDir).toBe("/artha/out");
      expect(info.Config.Env).toContain("ARTHA_JOB_ID=41");
      expect(info.Config.Labels).toMatchObject({
        "org.arthaain.job": "41",
        "org.arthaain.attempt": "3",
        "org.arthaain.deadline": "1900000000000",
      });
      expect(info.HostConfig).toMatchObject({
        NetworkMode: "none",
        ReadonlyRootfs: true,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        Memory: 96 * MiB,
        MemorySwap: 96 * MiB,
        NanoCpus: 5e8,
        PidsLimit: 48,
        ShmSize: 16 * MiB,
        IpcMode: "private",
        Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${8 * MiB}` },
        LogConfig: { Type: "json-file", Config: { "max-size": "16m", "max-file": "1" } },
      });
      expect(info.HostConfig.DeviceRequests ?? null).toBeNull();
    } finally {
      await removeJobContainer(docker, containerId);
    }
  });

  it("gives the process inside what the flags say: job user, no capabilities, no network, read-only root", async () => {
    const probe = [
      "import json, os",
      "status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)",
      "def writable(p):",
      "    try:",
      "        open(p, 'w').close(); return True",
      "    except OSError:",
      "        return False",
      "shm = os.statvfs('/dev/shm')",
      "print(json.dumps({'uid': os.getuid(), 'gid': os.getgid(), 'capEff': status['CapEff'].strip(),",
      "  'capBnd': status['CapBnd'].strip(), 'noNewPrivs': status['NoNewPrivs'].strip(),",
      "  'net': sorted(os.listdir('/sys/class/net')), 'root': writable('/probe'), 'out': writable('/artha/out/probe'),",
      "  'spec': writable('/artha/in/spec.json'), 'tmp': writable('/tmp/probe'), 'shm': shm.f_blocks * shm.f_frsize,",
      "  'cwd': os.getcwd()}))",
    ].join("\n");
    const opts = await files.job(`python3 -c "$PROBE"`, {
      env: { PROBE: probe },
      limits: { shmBytes: 32 * MiB },
    });
    const run = await runJobContainer(docker, opts);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      uid: 10001,
      gid: 10001,
      capEff: "0000000000000000",
      capBnd: "0000000000000000",
      noNewPrivs: "1",
      net: ["lo"],
      root: false,
      out: true,
      spec: false,
      tmp: true,
      shm: 32 * MiB,
      cwd: "/artha/out",
    });
  });

  it("gives a bridge-network job an interface besides loopback", async () => {
    const run = await runJobContainer(docker, await files.job("ls /sys/class/net", { network: "bridge" }));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.split("\n").filter(Boolean).sort()).toEqual(["eth0", "lo"]);
  });

  it("stops a job from starting more processes than its pids limit", async () => {
    const script = [
      "import threading, time",
      "n = 0",
      "try:",
      "    while n < 200:",
      "        threading.Thread(target=time.sleep, args=(3,), daemon=True).start(); n += 1",
      "except RuntimeError as e:",
      "    print(n)",
    ].join("\n");
    const run = await runJobContainer(
      docker,
      await files.job(`python3 -c "$SCRIPT"`, { env: { SCRIPT: script }, limits: { pidsLimit: 24 } }),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const started = Number(run.stdout.trim());
    expect(started).toBeGreaterThan(10);
    expect(started).toBeLessThan(24);
  });

  it("records the GPU device request on the created container; starting it without a GPU fails cleanly", async () => {
    const opts = await files.job("true", { gpus: { count: 2 } });
    const created = await createJobContainer(docker, { ...opts, jobId: "77", attempt: 0 });
    try {
      const info = await docker.getContainer(created.containerId).inspect();
      expect(info.HostConfig.DeviceRequests).toEqual([
        expect.objectContaining({ Driver: "nvidia", Count: 2, DeviceIDs: null, Capabilities: [["gpu"]] }),
      ]);
    } finally {
      await removeJobContainer(docker, created.containerId);
    }
    // No NVIDIA runtime on this machine: the engine refuses at start, and nothing is left behind.
    const started = startJobContainer(docker, {
      ...opts,
      gpus: { deviceIds: ["0"] },
      jobId: "77",
      attempt: 1,
    });
    await expect(started).rejects.toMatchObject({
      name: "ClusterError",
      code: "start-failed",
      message: expect.stringMatching(/artha-job-77-1.*nvidia/),
    });
    expect(await findJobContainer(docker, "77", 1)).toBeUndefined();
  });
});
