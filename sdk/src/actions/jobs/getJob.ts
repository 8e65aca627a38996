import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { type JobStateLabel, jobStateLabel } from "../../constants.ts";
import { type JobSpecKind, jobSpecKinds } from "../../spec/jobSpec.ts";
import { getJobRecord, type JobRecord } from "../getJobRecord.ts";

/** A job state as a word: "open", "claimed", "resultSubmitted", "disputed", "finalized", "cancelled", … */
export type { JobStateLabel };

/** A job as a requester reads it: the current record, its state by name and the times derived from it. */
export type Job = {
  jobId: bigint;
  /** The current record, as the contract hashes it: pass it to the next call on the job. */
  record: JobRecord;
  state: JobStateLabel;
  kind: JobSpecKind;
  /** Claimed and past the claim window: the claimer is the assigned node (no transaction marks it). */
  assigned: boolean;
  /** Unix seconds, chain time. */
  times: {
    /** End of the bid window; claims open. */
    bidEnd: bigint;
    /** End of the claim window; the lowest claimer is assigned. */
    claimEnd: bigint;
    /** The assigned node's deadline for its result. */
    deadline: bigint;
    /** When the result was submitted, once it was. */
    resultAt?: bigint;
    /** When the result can be finalized (end of the challenge window), once a result was submitted. */
    finalizableAt?: bigint;
    /** The latest block's timestamp when read. */
    now: bigint;
  };
};

export type GetJobParameters = { jobId: bigint };

/** Reads a job's current state. Throws an error naming the id for an unknown job. */
export async function getJob(ctx: ArthaReadContext, { jobId }: GetJobParameters): Promise<Job> {
  const address = ctx.deployment.contracts.jobManager;
  const [record, claimWindow, challengeWindow, block] = await Promise.all([
    getJobRecord(ctx.publicClient, { jobManager: address, jobId }),
    ctx.publicClient.readContract({ address, abi: jobManagerAbi, functionName: "claimWindow" }),
    ctx.publicClient.readContract({ address, abi: jobManagerAbi, functionName: "challengeWindow" }),
    ctx.publicClient.getBlock(),
  ]);
  const state = jobStateLabel(record.state);
  const bidEnd = BigInt(record.bidEnd);
  const claimEnd = bidEnd + BigInt(claimWindow);
  const resultAt = record.resultAt !== 0 ? BigInt(record.resultAt) : undefined;
  return {
    jobId,
    record,
    state,
    kind: jobSpecKinds[record.kind] ?? (String(record.kind) as JobSpecKind),
    assigned: state === "claimed" && block.timestamp >= claimEnd,
    times: {
      bidEnd,
      claimEnd,
      deadline: claimEnd + BigInt(record.maxRuntime),
      ...(resultAt !== undefined ? { resultAt, finalizableAt: resultAt + BigInt(challengeWindow) } : {}),
      now: block.timestamp,
    },
  };
}
