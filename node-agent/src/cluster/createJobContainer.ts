// Creates (does not start) a job container from a locally present, pinned image.
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { ClusterError, engineAddress, toClusterError } from "./clusterError.ts";
import { DEADLINE_LABEL, type JobIdentity, jobContainerName, jobLabels } from "./jobLabels.ts";
import { checkJobContainerOptions, type JobContainerOptions, jobContainerConfig } from "./sandbox.ts";

export interface CreatedJobContainer {
  readonly containerId: string;
  readonly name: string;
}

function checkIdentity(id: Partial<JobIdentity>): void {
  if (id.jobId !== undefined && !/^\d+$/.test(id.jobId.toString())) {
    throw new ClusterError(
      "invalid-options",
      `job container: jobId: expected a decimal job id, got ${id.jobId}`,
    );
  }
  if (id.verifier !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(id.verifier)) {
    throw new ClusterError(
      "invalid-options",
      `job container: verifier: expected an address (0x and 40 hex digits), got ${id.verifier}`,
    );
  }
  if (id.attempt !== undefined && (!Number.isSafeInteger(id.attempt) || id.attempt < 0)) {
    throw new ClusterError(
      "invalid-options",
      `job container: attempt: expected an integer >= 0, got ${id.attempt}`,
    );
  }
  if ((id.jobId === undefined) !== (id.attempt === undefined)) {
    throw new ClusterError(
      "invalid-options",
      "job container: jobId and attempt go together (name and labels)",
    );
  }
}

/** Fails with `image-missing` when the image is not on this engine: the agent never pulls. */
async function checkImagePresent(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
  } catch (error) {
    const e = toClusterError(docker, error, `image ${image}`, "inspecting", "image-missing");
    if (e.code !== "image-missing") throw e;
    throw new ClusterError(
      "image-missing",
      `image ${image} is not present on the Docker engine at ${engineAddress(docker)}; load or build it first (the node agent never pulls)`,
      { cause: error },
    );
  }
}

/**
 * Creates the container of one job attempt (`artha-job-<jobId>-<attempt>`, labelled for
 * findJobContainer) or, without an identity, a one-off run (`artha-run-<random>`).
 */
export async function createJobContainer(
  docker: Docker,
  opts: JobContainerOptions & Partial<JobIdentity>,
): Promise<CreatedJobContainer> {
  checkJobContainerOptions(opts);
  checkIdentity(opts);
  const identity = opts.jobId !== undefined && opts.attempt !== undefined ? (opts as JobIdentity) : undefined;
  const name = identity ? jobContainerName(identity) : `artha-run-${randomBytes(6).toString("hex")}`;
  const labels = identity
    ? jobLabels(identity, opts.deadlineMs)
    : { [DEADLINE_LABEL]: String(Math.round(opts.deadlineMs)) };
  await checkImagePresent(docker, opts.image);
  try {
    const container = await docker.createContainer(jobContainerConfig(opts, name, labels));
    return { containerId: container.id, name };
  } catch (error) {
    const e = toClusterError(docker, error, `container ${name}`, "creating", "image-missing");
    if (e.code !== "engine-error") throw e;
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 409) {
      throw new ClusterError(
        "container-exists",
        `container ${name} exists already on the Docker engine at ${engineAddress(docker)}; re-attach to it (findJobContainer) or remove it`,
        { cause: error },
      );
    }
    throw new ClusterError("create-failed", e.message, { cause: error });
  }
}
