// Starts one job attempt's container and returns at once: the agent records the id and waits
// separately (waitJobContainer), so a restart in between re-attaches instead of running the job twice.
import type Docker from "dockerode";
import { ClusterError, toClusterError } from "./clusterError.ts";
import { type CreatedJobContainer, createJobContainer } from "./createJobContainer.ts";
import type { JobIdentity } from "./jobLabels.ts";
import { removeJobContainer } from "./removeJobContainer.ts";
import type { JobContainerOptions } from "./sandbox.ts";

export type JobStartOptions = JobContainerOptions & JobIdentity;

/** Creates and starts the container; one the engine cannot start is removed again. */
export async function startJobContainer(docker: Docker, opts: JobStartOptions): Promise<CreatedJobContainer> {
  return startContainer(docker, opts);
}

/** Shared with runJobContainer, whose one-off runs have no job identity. */
export async function startContainer(
  docker: Docker,
  opts: JobContainerOptions & Partial<JobIdentity>,
): Promise<CreatedJobContainer> {
  if (opts.deadlineMs <= Date.now()) {
    throw new ClusterError(
      "deadline-passed",
      `job container${opts.jobId !== undefined ? ` for job ${opts.jobId} attempt ${opts.attempt}` : ""}: the deadline ${new Date(opts.deadlineMs).toISOString()} has passed; not starting it`,
    );
  }
  const created = await createJobContainer(docker, opts);
  try {
    await docker.getContainer(created.containerId).start();
  } catch (error) {
    await removeJobContainer(docker, created.containerId).catch(() => undefined);
    const e = toClusterError(docker, error, `container ${created.name}`, "starting");
    throw e.code === "engine-error" ? new ClusterError("start-failed", e.message, { cause: error }) : e;
  }
  return created;
}
