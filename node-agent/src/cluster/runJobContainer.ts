// One job from start to end in one call, for `artha-node run` and the runtime tests; the agent itself
// uses start and wait separately so it can survive a restart in between.
import type Docker from "dockerode";
import type { JobIdentity } from "./jobLabels.ts";
import { removeJobContainer } from "./removeJobContainer.ts";
import type { JobContainerOptions } from "./sandbox.ts";
import { startContainer } from "./startJobContainer.ts";
import { awaitJobRun, type JobRunOutput } from "./waitJobContainer.ts";

export type JobRunOptions = JobContainerOptions &
  Partial<JobIdentity> & {
    /** Also keep the logs in this host file. */
    readonly logFile?: string;
    readonly signal?: AbortSignal;
  };

/** Starts the job, waits for its end (or kills it at its deadline), removes the container. */
export async function runJobContainer(docker: Docker, opts: JobRunOptions): Promise<JobRunOutput> {
  const { containerId } = await startContainer(docker, opts);
  try {
    return await awaitJobRun(docker, containerId, {
      deadlineMs: opts.deadlineMs,
      ...(opts.logFile ? { logFile: opts.logFile } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    await removeJobContainer(docker, containerId).catch(() => undefined);
  }
}
