import type { Address, Hash, Hex } from "viem";
import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import type { JobRecord } from "../getJobRecord.ts";

/** What a job was submitted with: the fields the contract keeps only in the JobSubmitted event. */
export type JobSubmission = {
  jobId: bigint;
  requester: Address;
  modelId: number;
  imageDigest: Hex;
  specHash: Hex;
  specUri: string;
  dependsOn: readonly bigint[];
  /** The job's first record. */
  record: JobRecord;
  blockNumber: bigint;
  transactionHash: Hash;
};

export type GetJobSubmissionParameters = { jobId: bigint };

/** Blocks one eth_getLogs covers while searching back: within common public RPC range limits. */
const CHUNK = 10_000n;

/**
 * The JobSubmitted event of a job. Searched backwards from the job's last change (the submission is at or
 * before it), one indexed-topic query per 10000 blocks, down to the deployment's startBlock: a recent job
 * costs one or two RPC calls. Throws an error naming the id for an unknown job.
 */
export async function getJobSubmission(
  ctx: ArthaReadContext,
  { jobId }: GetJobSubmissionParameters,
): Promise<JobSubmission> {
  const address = ctx.deployment.contracts.jobManager;
  const last = await ctx.publicClient.readContract({
    address,
    abi: jobManagerAbi,
    functionName: "lastChangeBlock",
    args: [jobId],
  });
  if (last === 0n) throw new Error(`job ${jobId} does not exist on the job manager at ${address}`);
  const floor = BigInt(ctx.deployment.startBlock);
  for (let to = last; to >= floor; to -= CHUNK) {
    const from = to - CHUNK + 1n > floor ? to - CHUNK + 1n : floor;
    const [event] = await ctx.publicClient.getContractEvents({
      address,
      abi: jobManagerAbi,
      eventName: "JobSubmitted",
      args: { jobId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    });
    if (event) {
      const { requester, modelId, imageDigest, specHash, specUri, dependsOn, job } = event.args;
      return {
        jobId,
        requester,
        modelId,
        imageDigest,
        specHash,
        specUri,
        dependsOn,
        record: job,
        blockNumber: event.blockNumber,
        transactionHash: event.transactionHash,
      };
    }
    if (from === floor) break;
  }
  throw new Error(
    `job ${jobId}: no JobSubmitted event between blocks ${floor} and ${last} (is the deployment's startBlock right?)`,
  );
}
