import { type JobRecord, jobManagerAbi } from "@arthaain/sdk";
import { type Hex, type Log, parseEventLogs } from "viem";

/** Job manager events that carry a job's new record (every change of a job emits one). */
export const jobEventNames = [
  "JobSubmitted",
  "JobClaimed",
  "JobReopened",
  "ResultSubmitted",
  "JobFinalized",
  "JobCancelled",
  "JobExpired",
  "JobDisputed",
  "JobRefunded",
  "JobVerified",
] as const;
export type JobEventName = (typeof jobEventNames)[number];

/** One change of one job, with the job's record after it. */
export type JobEvent = {
  name: JobEventName;
  jobId: bigint;
  job: JobRecord;
  /** The event's own fields (spec URI, metrics hash, refund, …), as decoded. */
  args: Record<string, unknown>;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
};

const names = new Set<string>(jobEventNames);

/** Decodes raw job manager logs into job events, in chain order; other events are skipped. */
export function toJobEvents(logs: Log[]): JobEvent[] {
  const events: JobEvent[] = [];
  for (const log of parseEventLogs({ abi: jobManagerAbi, logs, strict: true })) {
    if (!names.has(log.eventName)) continue;
    const args = log.args as Record<string, unknown> & { jobId: bigint; job: JobRecord };
    events.push({
      name: log.eventName as JobEventName,
      jobId: args.jobId,
      job: args.job,
      args,
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
      transactionHash: log.transactionHash,
    });
  }
  return events;
}
