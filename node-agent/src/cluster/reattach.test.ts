// Surviving an agent restart: a container started by a process that then dies is found by its labels
// and waited on for its real result and logs, whether it is still running, already exited, exited after
// its deadline, or was only created.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobContainer } from "./createJobContainer.ts";
import { findJobContainer } from "./findJobContainer.ts";
import { removeJobContainer } from "./removeJobContainer.ts";
import type { JobContainerOptions } from "./sandbox.ts";
import { startJobContainer } from "./startJobContainer.ts";
import { createJobFiles } from "./testJobFiles.ts";
import { waitJobContainer } from "./waitJobContainer.ts";

const docker = new Docker();
let files: Awaited<ReturnType<typeof createJobFiles>>;
beforeAll(async () => {
  files = await createJobFiles();
});
afterAll(() => files?.dispose());

/** Waits as an outsider (not through the module under test) until the container has exited. */
async function exitedMeanwhile(containerId: string): Promise<void> {
  await docker.getContainer(containerId).wait({ condition: "not-running" });
  expect((await docker.getContainer(containerId).inspect()).State.Status).toBe("exited");
}

/** An agent process that starts the job, prints the container id and dies with SIGKILL (no cleanup). */
async function startInDyingAgent(
  opts: JobContainerOptions & { jobId: string; attempt: number },
): Promise<string> {
  const module = fileURLToPath(new URL("./startJobContainer.ts", import.meta.url));
  const script = `
    import Docker from "dockerode";
    import { startJobContainer } from ${JSON.stringify(module)};
    const { containerId } = await startJobContainer(new Docker(), JSON.parse(process.argv[1]));
    process.stdout.write(containerId, () => process.kill(process.pid, "SIGKILL"));`;
  const child = promisify(execFile)(
    process.execPath,
    ["--input-type=module", "-e", script, JSON.stringify(opts)],
    {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    },
  );
  const error = await child.then(
    () => undefined,
    (e: { signal?: string; stdout: string; stderr: string }) => e,
  );
  expect(error?.signal, error?.stderr).toBe("SIGKILL");
  return error!.stdout.trim();
}

describe("start, forget, find, wait", () => {
  it("re-attaches to a running job started by an agent that died, and gets its real result and logs", async () => {
    const opts = await files.job("echo started; sleep 3; echo 'finished badly' >&2; exit 5");
    const containerId = await startInDyingAgent({ ...opts, jobId: "9001", attempt: 2 });
    expect(containerId).toMatch(/^[0-9a-f]{64}$/);

    const found = await findJobContainer(docker, 9001n, 2);
    expect(found).toEqual({
      containerId,
      name: "artha-job-9001-2",
      state: "running",
      deadlineMs: Math.round(opts.deadlineMs),
    });
    expect(await findJobContainer(docker, 9001n, 1)).toBeUndefined();
    expect(await findJobContainer(docker, 900n, 2)).toBeUndefined();
    // The same attempt cannot be started twice.
    await expect(startJobContainer(docker, { ...opts, jobId: "9001", attempt: 2 })).rejects.toMatchObject({
      code: "container-exists",
      message: expect.stringContaining("artha-job-9001-2"),
    });

    const logFile = join(opts.dir, "job.log");
    const result = await waitJobContainer(docker, found!.containerId, {
      deadlineMs: found!.deadlineMs,
      logFile,
    });
    expect(result).toMatchObject({
      containerId,
      exitCode: 5,
      lastErrorLine: "finished badly",
      timedOut: false,
      oomKilled: false,
      logFile,
    });
    expect(result.startToExitMs).toBeGreaterThan(2_900);
    expect(readFileSync(logFile, "utf8")).toBe("started\nfinished badly\n");

    // The logs outlive the container.
    await removeJobContainer(docker, containerId);
    await removeJobContainer(docker, containerId); // idempotent
    expect(await findJobContainer(docker, 9001n, 2)).toBeUndefined();
    expect(readFileSync(logFile, "utf8")).toBe("started\nfinished badly\n");
  });

  it("waits on a container that exited while nobody was waiting", async () => {
    const opts = await files.job("echo done; sleep 0.1; echo 'it failed' >&2; exit 7");
    const { containerId } = await startJobContainer(docker, { ...opts, jobId: "9002", attempt: 0 });
    try {
      await exitedMeanwhile(containerId);
      const logFile = join(opts.dir, "job.log");
      const result = await waitJobContainer(docker, containerId, { logFile });
      expect(result).toMatchObject({
        exitCode: 7,
        lastErrorLine: "it failed",
        timedOut: false,
        oomKilled: false,
      });
      expect(readFileSync(logFile, "utf8")).toBe("done\nit failed\n");
    } finally {
      await removeJobContainer(docker, containerId);
    }
  });

  it("reports as timed out a job that finished after its deadline while the agent was down", async () => {
    const opts = await files.job("sleep 2.5; echo late", { deadlineMs: Date.now() + 1_000 });
    const { containerId } = await startJobContainer(docker, { ...opts, jobId: "9003", attempt: 0 });
    try {
      await exitedMeanwhile(containerId);
      const result = await waitJobContainer(docker, containerId, { logFile: join(opts.dir, "job.log") });
      expect(result).toMatchObject({ exitCode: 0, timedOut: true });
      expect(result.finishedAtMs).toBeGreaterThan(opts.deadlineMs);
    } finally {
      await removeJobContainer(docker, containerId);
    }
  });

  it("kills at once a re-attached job whose deadline passed while the agent was down", async () => {
    const opts = await files.job("sleep 60", { deadlineMs: Date.now() + 1_500 });
    const { containerId } = await startJobContainer(docker, { ...opts, jobId: "9004", attempt: 0 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const found = await findJobContainer(docker, "9004", 0);
      expect(found?.state).toBe("running");
      const before = Date.now();
      const result = await waitJobContainer(docker, containerId, { logFile: join(opts.dir, "job.log") });
      expect(Date.now() - before).toBeLessThan(5_000);
      expect(result).toMatchObject({ exitCode: 137, timedOut: true });
    } finally {
      await removeJobContainer(docker, containerId);
    }
  });

  it("starts a container the agent created but died before starting", async () => {
    const opts = await files.job("echo ran; exit 0");
    const { containerId } = await createJobContainer(docker, { ...opts, jobId: "9005", attempt: 0 });
    try {
      expect((await findJobContainer(docker, "9005", 0))?.state).toBe("created");
      const result = await waitJobContainer(docker, containerId, { logFile: join(opts.dir, "job.log") });
      expect(result).toMatchObject({ exitCode: 0, timedOut: false });
      expect(readFileSync(join(opts.dir, "job.log"), "utf8")).toBe("ran\n");
    } finally {
      await removeJobContainer(docker, containerId);
    }
  });
});
