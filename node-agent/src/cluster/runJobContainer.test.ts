// A job from start to end on the real engine: its exit code and logs, the OOM killer at its memory
// limit, the kill at its absolute deadline; plus the pure helpers (environment, log frames, times).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demuxLogs } from "./demuxLogs.ts";
import { findJobContainer } from "./findJobContainer.ts";
import { jobEnvironment } from "./jobEnvironment.ts";
import { runJobContainer } from "./runJobContainer.ts";
import { createJobFiles } from "./testJobFiles.ts";
import { parseDockerTime } from "./waitJobContainer.ts";

const docker = new Docker();
let files: Awaited<ReturnType<typeof createJobFiles>>;
beforeAll(async () => {
  files = await createJobFiles();
});
afterAll(() => files?.dispose());

describe("runJobContainer", () => {
  it("returns the exit code, both streams and the last error line, keeps the logs and removes the container", async () => {
    // The engine copies the two streams concurrently: lines written microseconds apart may swap in the
    // combined log, so they are spaced out here to test the interleaving.
    const opts = await files.job(
      "echo one; sleep 0.1; echo 'bad thing' >&2; sleep 0.1; echo two; sleep 0.1; echo 'worse thing' >&2; sleep 0.1; echo; exit 3",
    );
    const logFile = join(opts.dir, "logs", "job.log");
    const run = await runJobContainer(docker, { ...opts, jobId: "5", attempt: 0, logFile });
    expect(run).toMatchObject({
      exitCode: 3,
      stdout: "one\ntwo\n\n",
      stderr: "bad thing\nworse thing\n",
      lastErrorLine: "worse thing",
      timedOut: false,
      oomKilled: false,
      logFile,
    });
    expect(run.startToExitMs).toBeGreaterThan(0);
    expect(run.startToExitMs).toBeLessThan(10_000);
    expect(readFileSync(logFile, "utf8")).toBe("one\nbad thing\ntwo\nworse thing\n\n");
    expect(await findJobContainer(docker, "5", 0)).toBeUndefined();
  });

  it("reports a job that exceeds its memory limit as OOM-killed", async () => {
    const opts = await files.job(
      `echo allocating >&2; python3 -c "x = bytearray(b'\\x01') * (400 * 1024 * 1024); print(len(x))"`,
      { limits: { memoryBytes: 64 * 1024 ** 2 } },
    );
    const run = await runJobContainer(docker, opts);
    expect(run.oomKilled).toBe(true);
    expect(run.exitCode).not.toBe(0);
    expect(run.timedOut).toBe(false);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("allocating");
  });

  it("lets the same job finish under a limit that fits it", async () => {
    const opts = await files.job(`python3 -c "x = bytearray(b'\\x01') * (40 * 1024 * 1024); print(len(x))"`, {
      limits: { memoryBytes: 256 * 1024 ** 2 },
    });
    const run = await runJobContainer(docker, opts);
    expect(run).toMatchObject({ exitCode: 0, oomKilled: false, stdout: `${40 * 1024 * 1024}\n` });
  });

  it("kills a job at its absolute deadline and says so", async () => {
    const opts = await files.job("echo working; sleep 60; echo never", { deadlineMs: Date.now() + 2_000 });
    const started = Date.now();
    const run = await runJobContainer(docker, opts);
    const took = Date.now() - started;
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).toBe(137); // SIGKILL
    expect(run.stdout).toBe("working\n");
    expect(took).toBeGreaterThan(1_500);
    expect(took).toBeLessThan(10_000);
    expect(run.finishedAtMs).toBeGreaterThanOrEqual(opts.deadlineMs);
  });

  it("refuses to start a job whose deadline has passed", async () => {
    const opts = await files.job("echo should-not-run", { deadlineMs: Date.now() - 1 });
    await expect(runJobContainer(docker, { ...opts, jobId: "6", attempt: 0 })).rejects.toMatchObject({
      code: "deadline-passed",
      message: expect.stringContaining("job 6 attempt 0"),
    });
    expect(await findJobContainer(docker, "6", 0)).toBeUndefined();
  });

  it("stops waiting when its signal aborts, and removes the one-off container", async () => {
    const opts = await files.job("sleep 60");
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 1_000);
    await expect(
      runJobContainer(docker, { ...opts, jobId: "8", attempt: 0, signal: abort.signal }),
    ).rejects.toMatchObject({
      code: "aborted",
    });
    expect(await findJobContainer(docker, "8", 0)).toBeUndefined();
  });
});

describe("jobEnvironment", () => {
  it("derives ARTHA_JOB_ID, ARTHA_SEED and ARTHA_HP_* from the spec", () => {
    expect(
      jobEnvironment(12n, {
        seed: 7,
        hyperparameters: {
          batchSize: 16,
          learningRate: 0.1,
          optimizer: "adam",
          shuffle: false,
          hidden: [8, 4],
        },
      }),
    ).toEqual({
      ARTHA_JOB_ID: "12",
      ARTHA_SEED: "7",
      ARTHA_HP_BATCH_SIZE: "16",
      ARTHA_HP_LEARNING_RATE: "0.1",
      ARTHA_HP_OPTIMIZER: "adam",
      ARTHA_HP_SHUFFLE: "false",
      ARTHA_HP_HIDDEN: "[8,4]",
    });
    expect(jobEnvironment("3", {})).toEqual({ ARTHA_JOB_ID: "3" });
  });
});

describe("demuxLogs", () => {
  const frame = (stream: number, text: string) => {
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(Buffer.byteLength(text), 4);
    return Buffer.concat([header, Buffer.from(text)]);
  };

  it("splits the streams and keeps their interleaving", () => {
    const logs = demuxLogs(Buffer.concat([frame(1, "a\n"), frame(2, "é\n"), frame(1, "b\n")]));
    expect(logs.stdout).toBe("a\nb\n");
    expect(logs.stderr).toBe("é\n");
    expect(logs.combined.toString()).toBe("a\né\nb\n");
  });

  it("takes an unframed (TTY) stream as stdout", () => {
    expect(demuxLogs(Buffer.from("plain output\n"))).toMatchObject({ stdout: "plain output\n", stderr: "" });
  });
});

describe("parseDockerTime", () => {
  it("reads the engine's nanosecond timestamps, keeping the sub-millisecond part", () => {
    expect(parseDockerTime("2024-05-01T10:00:00.123456789Z")).toBeCloseTo(
      Date.UTC(2024, 4, 1, 10, 0, 0) + 123.456789,
      3,
    );
    expect(parseDockerTime("2024-05-01T10:00:00Z")).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 0));
    expect(parseDockerTime("2024-05-01T12:00:00.5+02:00")).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 500));
    expect(parseDockerTime("yesterday")).toBeNaN();
  });
});
