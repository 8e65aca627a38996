// Engine failures reach the agent as ClusterErrors with a code and a message naming the engine socket,
// image or container, never a raw socket stack.
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterError } from "./clusterError.ts";
import { findJobContainer } from "./findJobContainer.ts";
import { removeJobContainer } from "./removeJobContainer.ts";
import { runJobContainer } from "./runJobContainer.ts";
import { startJobContainer } from "./startJobContainer.ts";
import { createJobFiles } from "./testJobFiles.ts";
import { waitJobContainer } from "./waitJobContainer.ts";

const docker = new Docker();
let files: Awaited<ReturnType<typeof createJobFiles>>;
beforeAll(async () => {
  files = await createJobFiles();
});
afterAll(() => files?.dispose());

async function failure(promise: Promise<unknown>): Promise<ClusterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClusterError);
  return error as ClusterError;
}

describe("cluster errors", () => {
  it("image-missing: an image id that is not on this engine, named, and nothing pulled or created", async () => {
    const digest = "0123456789abcdef".repeat(4);
    const opts = await files.job("true", { image: `sha256:${digest}` });
    const e = await failure(startJobContainer(docker, { ...opts, jobId: "31", attempt: 0 }));
    expect(e.code).toBe("image-missing");
    expect(e.message).toContain(`sha256:${digest}`);
    expect(e.message).toContain("unix:///var/run/docker.sock");
    expect(e.message).toContain("never pulls");
    expect(await findJobContainer(docker, "31", 0)).toBeUndefined();
  });

  it("invalid-options: an image named by tag instead of id, even one that exists", async () => {
    const { RepoTags } = await docker.getImage(files.image).inspect();
    const opts = await files.job("true", { image: RepoTags[0]! });
    const e = await failure(runJobContainer(docker, opts));
    expect(e.code).toBe("invalid-options");
    expect(e.message).toContain(RepoTags[0]!);
  });

  it("engine-unreachable: names the socket it tried", async () => {
    const nowhere = new Docker({ socketPath: "/tmp/artha-no-such-engine.sock" });
    const opts = await files.job("true");
    const started = await failure(startJobContainer(nowhere, { ...opts, jobId: "32", attempt: 0 }));
    expect(started.code).toBe("engine-unreachable");
    expect(started.message).toMatch(
      /^Docker engine at unix:\/\/\/tmp\/artha-no-such-engine.sock is unreachable/,
    );
    expect(started.message).toContain("ENOENT");
    const found = await failure(findJobContainer(nowhere, "32", 0));
    expect(found.code).toBe("engine-unreachable");
    const waited = await failure(waitJobContainer(nowhere, "abc", { logFile: "/tmp/x.log" }));
    expect(waited.code).toBe("engine-unreachable");
  });

  it("container-gone: waiting on a container that does not exist names it", async () => {
    const id = "f".repeat(64);
    const e = await failure(
      waitJobContainer(docker, id, { deadlineMs: Date.now() + 5_000, logFile: "/tmp/x.log" }),
    );
    expect(e.code).toBe("container-gone");
    expect(e.message).toContain("container ffffffffffff");
    await removeJobContainer(docker, id); // removing what is gone is not an error
  });

  it("create-failed: a bind source that does not exist, with the engine's reason", async () => {
    const opts = await files.job("true", { dataDir: "/nonexistent/artha-data" });
    const e = await failure(startJobContainer(docker, { ...opts, jobId: "33", attempt: 0 }));
    expect(e.code).toBe("create-failed");
    expect(e.message).toContain("artha-job-33-0");
    expect(e.message).toContain("/nonexistent/artha-data");
    expect(await findJobContainer(docker, "33", 0)).toBeUndefined();
  });
});
