import {
  type Abi,
  type Address,
  type ContractEventArgsFromTopics,
  type ContractEventName,
  formatLog,
  type Hash,
  type Log,
  numberToHex,
  pad,
  parseEventLogs,
  type RpcLog,
  toEventSelector,
} from "viem";
import { jobManagerAbi, proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { sleep } from "../../client/sleep.ts";
import { type JobStateName, jobStates, terminalJobStates } from "../../constants.ts";
import { getJobSubmission } from "./getJobSubmission.ts";

type JobManagerEventName = Exclude<ContractEventName<typeof jobManagerAbi>, "Withdrawn" | "ProofSet">;
type ProofEventName = ContractEventName<typeof proofOfComputeAbi>;
/** Every event about one job: the job manager's and the proof contract's. */
export type JobEventName = JobManagerEventName | ProofEventName;

type Named<abi extends Abi, name extends ContractEventName<abi>> = {
  name: name;
  args: ContractEventArgsFromTopics<abi, name, true>;
};

/** One event of a job, typed by `name` (`args.job` is the new record for the job manager's state changes). */
export type JobEvent = (
  | { [N in JobManagerEventName]: Named<typeof jobManagerAbi, N> }[JobManagerEventName]
  | { [N in ProofEventName]: Named<typeof proofOfComputeAbi, N> }[ProofEventName]
) & {
  jobId: bigint;
  /** The contract that emitted it. */
  address: Address;
  blockNumber: bigint;
  transactionHash: Hash;
  logIndex: number;
  /** The block's timestamp (unix seconds); absent with `timestamps: false`. */
  timestamp?: bigint;
};

export type WatchJobParameters = {
  jobId: bigint;
  /** Wait between polls once caught up with the chain. Default: the public client's pollingInterval. */
  pollingIntervalMs?: number;
  /** Ends the watch (the generator returns) at the next poll or event. */
  signal?: AbortSignal;
  /** First block to read. Default: the job's submission block, so a late watcher still sees the whole history. */
  fromBlock?: bigint;
  /** Read each event's block timestamp (one cached getBlock per block). Default true. */
  timestamps?: boolean;
};

const watchedAbi = [...jobManagerAbi, ...proofOfComputeAbi];
const selectors = watchedAbi
  .filter((item) => item.type === "event" && item.name !== "Withdrawn" && item.name !== "ProofSet")
  .map((item) => toEventSelector(item as never));
/** Blocks one eth_getLogs covers: within common public RPC range limits. */
const CHUNK = 10_000n;

/**
 * Follows one job: yields its events oldest first, from its submission on (history first, then new events
 * as they are mined), and returns after the event that puts it in a terminal state (Finalized, Cancelled,
 * Expired, Failed; the rest of that transaction's events included, e.g. DisputeUnresolved after
 * JobRefunded). One indexed-topic eth_getLogs per poll covers both contracts. Returns quietly when `signal`
 * aborts; RPC errors are thrown (restart with `fromBlock` to resume).
 */
export async function* watchJob(
  ctx: ArthaReadContext,
  p: WatchJobParameters,
): AsyncGenerator<JobEvent, void> {
  const { publicClient } = ctx;
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const interval = p.pollingIntervalMs ?? publicClient.pollingInterval ?? 1000;
  const withTimestamps = p.timestamps ?? true;
  const jobTopic = pad(numberToHex(p.jobId), { size: 32 });
  let next = p.fromBlock ?? (await getJobSubmission(ctx, { jobId: p.jobId })).blockNumber;
  const blockTimes = new Map<bigint, bigint>();

  while (!p.signal?.aborted) {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    if (head < next) {
      await sleep(interval, p.signal);
      continue;
    }
    const to = head - next + 1n > CHUNK ? next + CHUNK - 1n : head;
    const raw = (await publicClient.request({
      method: "eth_getLogs",
      params: [
        {
          address: [jobManager, proofOfCompute],
          topics: [selectors, jobTopic],
          fromBlock: numberToHex(next),
          toBlock: numberToHex(to),
        },
      ],
    })) as RpcLog[];
    const logs = parseEventLogs({
      abi: watchedAbi,
      logs: raw.map((log) => formatLog(log) as Log),
      strict: true,
    })
      .filter((log) => log.blockNumber !== null && log.logIndex !== null)
      .sort((a, b) =>
        a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
      );
    let endTransaction: Hash | undefined;
    for (const log of logs) {
      if (endTransaction && log.transactionHash !== endTransaction) break;
      if (p.signal?.aborted) return;
      let timestamp: bigint | undefined;
      if (withTimestamps) {
        timestamp = blockTimes.get(log.blockNumber);
        if (timestamp === undefined) {
          timestamp = (await publicClient.getBlock({ blockNumber: log.blockNumber })).timestamp;
          blockTimes.set(log.blockNumber, timestamp);
        }
      }
      const event = {
        name: log.eventName,
        args: log.args,
        jobId: p.jobId,
        address: log.address,
        blockNumber: log.blockNumber,
        transactionHash: log.transactionHash,
        logIndex: log.logIndex,
        ...(timestamp !== undefined ? { timestamp } : {}),
      } as JobEvent;
      yield event;
      if (isTerminal(event)) endTransaction = log.transactionHash;
    }
    if (endTransaction) return;
    next = to + 1n;
  }
}

/** Whether the event's new record is in a state the job never leaves. */
function isTerminal(event: JobEvent): boolean {
  const job = "job" in event.args ? event.args.job : undefined;
  if (!job) return false;
  return terminalJobStates.includes(jobStates[job.state] as JobStateName);
}
