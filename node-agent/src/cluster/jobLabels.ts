// A job container is found again after an agent restart by its labels, and its name makes a second
// start of the same attempt fail instead of running the job twice.

export const JOB_LABEL = "org.arthaain.job";
export const ATTEMPT_LABEL = "org.arthaain.attempt";
/** On a verifier's re-run: the verifying node's address (its runs never pass for the job's own run). */
export const VERIFIER_LABEL = "org.arthaain.verifier";
/** The kill time in ms since the epoch, so a re-attached wait can recover it. */
export const DEADLINE_LABEL = "org.arthaain.deadline";

export interface JobIdentity {
  /** The on-chain job id (decimal). */
  readonly jobId: string | bigint;
  /** The job's attempt number (a job reopened after a missed deadline gets a new attempt). */
  readonly attempt: number;
  /**
   * A verifier's re-run of the job (docs/verification.md): the verifying node's address; `attempt` is then
   * the dispute round. Several nodes on one engine (tests, a cluster) each get their own container.
   */
  readonly verifier?: string;
}

/** `artha-job-<jobId>-<attempt>`, or `artha-verify-<jobId>-<round>-<verifier>` for a verifier's re-run. */
export function jobContainerName(id: JobIdentity): string {
  if (id.verifier) return `artha-verify-${id.jobId}-${id.attempt}-${id.verifier.toLowerCase()}`;
  return `artha-job-${id.jobId}-${id.attempt}`;
}

export function jobLabels(id: JobIdentity, deadlineMs: number): Record<string, string> {
  return {
    [JOB_LABEL]: id.jobId.toString(),
    [ATTEMPT_LABEL]: String(id.attempt),
    [DEADLINE_LABEL]: String(Math.round(deadlineMs)),
    ...(id.verifier ? { [VERIFIER_LABEL]: id.verifier.toLowerCase() } : {}),
  };
}
