// Removes a job container once its result and logs are kept on the host. Idempotent: an agent that
// crashed after removing it may try again.
import type Docker from "dockerode";
import { httpStatus, toClusterError } from "./clusterError.ts";

/** Kills (if running) and removes the container with its anonymous volumes; a missing one is fine. */
export async function removeJobContainer(docker: Docker, containerId: string): Promise<void> {
  try {
    await docker.getContainer(containerId).remove({ force: true, v: true });
  } catch (error) {
    const status = httpStatus(error);
    // 404: gone already; 409: a removal is already in progress.
    if (status === 404 || status === 409) return;
    throw toClusterError(docker, error, `container ${containerId}`, "removing");
  }
}
