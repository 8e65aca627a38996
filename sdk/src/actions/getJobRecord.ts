import { type Address, type ContractFunctionArgs, type PublicClient, parseEventLogs } from "viem";
import { jobManagerAbi } from "../abi/generated.ts";

/** A job's whole state, as AIJobManager hashes it and as its events carry it. */
export type JobRecord = ContractFunctionArgs<typeof jobManagerAbi, "nonpayable", "finalize">[1];

export type GetJobRecordParameters = { jobManager: Address; jobId: bigint };

/**
 * Reads a job's current record from the chain: the contract keeps only the record's hash and the block of
 * its last change, so the record is the `job` of the last event for this job in that block's logs (one
 * `eth_getLogs` over one block, whatever the chain's age).
 */
export async function getJobRecord(
  client: PublicClient,
  { jobManager, jobId }: GetJobRecordParameters,
): Promise<JobRecord> {
  const block = await client.readContract({
    address: jobManager,
    abi: jobManagerAbi,
    functionName: "lastChangeBlock",
    args: [jobId],
  });
  if (block === 0n) throw new Error(`job ${jobId} does not exist on the job manager at ${jobManager}`);
  const logs = parseEventLogs({
    abi: jobManagerAbi,
    logs: await client.getLogs({ address: jobManager, fromBlock: block, toBlock: block }),
  });
  let record: JobRecord | undefined;
  for (const log of logs) {
    if ("jobId" in log.args && log.args.jobId === jobId && "job" in log.args) record = log.args.job;
  }
  if (!record) {
    throw new Error(`job ${jobId}: block ${block} holds no event with its record (is ${jobManager} right?)`);
  }
  return record;
}
