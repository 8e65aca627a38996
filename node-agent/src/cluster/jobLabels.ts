// A job container is found again after an agent restart by its labels, and its name makes a second
// start of the same attempt fail instead of running the job twice.

export const JOB_LABEL = "org.arthaain.job";
export const ATTEMPT_LABEL = "org.arthaain.attempt";
/** The kill time in ms since the epoch, so a re-attached wait can recover it. */
export const DEADLINE_LABEL = "org.arthaain.deadline";

export interface JobIdentity {
  /** The on-chain job id (decimal). */
  readonly jobId: string | bigint;
  /** The job's attempt number (a job reopened after a missed deadline gets a new attempt). */
  readonly attempt: number;
}

/** `artha-job-<jobId>-<attempt>`. */
export function jobContainerName(id: JobIdentity): string {
  return `artha-job-${id.jobId}-${id.attempt}`;
}

export function jobLabels(id: JobIdentity, deadlineMs: number): Record<string, string> {
  return {
    [JOB_LABEL]: id.jobId.toString(),
    [ATTEMPT_LABEL]: String(id.attempt),
    [DEADLINE_LABEL]: String(Math.round(deadlineMs)),
  };
}
