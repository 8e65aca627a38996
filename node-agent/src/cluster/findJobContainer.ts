// After a restart the agent asks the engine, not its memory, whether a job attempt's container exists.
import type Docker from "dockerode";
import { toClusterError } from "./clusterError.ts";
import { ATTEMPT_LABEL, DEADLINE_LABEL, JOB_LABEL, VERIFIER_LABEL } from "./jobLabels.ts";

export interface FoundJobContainer {
  readonly containerId: string;
  readonly name: string;
  /** The engine's state: "created", "running", "exited", "dead", … */
  readonly state: string;
  /** The deadline it was started with (its label). */
  readonly deadlineMs: number;
}

/**
 * The container of one job attempt, running or exited, or undefined when there is none; with `verifier`,
 * that node's re-run of round `attempt` instead (a job's own run never matches a verifier's, nor back).
 */
export async function findJobContainer(
  docker: Docker,
  jobId: string | bigint,
  attempt: number,
  verifier?: string,
): Promise<FoundJobContainer | undefined> {
  let found: Docker.ContainerInfo[];
  try {
    const label = [`${JOB_LABEL}=${jobId}`, `${ATTEMPT_LABEL}=${attempt}`];
    if (verifier) label.push(`${VERIFIER_LABEL}=${verifier.toLowerCase()}`);
    found = (await docker.listContainers({ all: true, filters: { label } })).filter(
      (c) => verifier !== undefined || c.Labels?.[VERIFIER_LABEL] === undefined,
    );
  } catch (error) {
    throw toClusterError(docker, error, `the container of job ${jobId} attempt ${attempt}`, "looking for");
  }
  const c = found[0];
  if (!c) return undefined;
  return {
    containerId: c.Id,
    name: (c.Names[0] ?? "").replace(/^\//, ""),
    state: c.State,
    deadlineMs: Number(c.Labels[DEADLINE_LABEL]),
  };
}
