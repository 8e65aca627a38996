import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";

/** The job manager's limits and windows, in seconds (immutables fixed at deployment). */
export type JobLimits = {
  minBidWindow: number;
  maxBidWindow: number;
  maxRuntimeLimit: number;
  maxDependencies: number;
  claimWindow: number;
  challengeWindow: number;
  jobCount: bigint;
};

/** Reads the job manager's limits from the contract, not the deployment file, so they cannot be stale. */
export async function readJobLimits(ctx: ArthaReadContext): Promise<JobLimits> {
  const address = ctx.deployment.contracts.jobManager;
  const read = <const name extends LimitName>(functionName: name) =>
    ctx.publicClient.readContract({ address, abi: jobManagerAbi, functionName });
  const [
    minBidWindow,
    maxBidWindow,
    maxRuntimeLimit,
    maxDependencies,
    claimWindow,
    challengeWindow,
    jobCount,
  ] = await Promise.all([
    read("minBidWindow"),
    read("maxBidWindow"),
    read("maxRuntimeLimit"),
    read("maxDependencies"),
    read("claimWindow"),
    read("challengeWindow"),
    read("jobCount"),
  ]);
  return {
    minBidWindow,
    maxBidWindow,
    maxRuntimeLimit,
    maxDependencies,
    claimWindow,
    challengeWindow,
    jobCount,
  };
}

type LimitName =
  | "minBidWindow"
  | "maxBidWindow"
  | "maxRuntimeLimit"
  | "maxDependencies"
  | "claimWindow"
  | "challengeWindow"
  | "jobCount";
