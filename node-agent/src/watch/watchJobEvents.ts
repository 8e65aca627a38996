import { sleep } from "@arthaain/sdk";
import type { Address, Log, PublicClient } from "viem";
import { type JobEvent, toJobEvents } from "./jobEvents.ts";

export type WatchJobEventsOptions = {
  client: PublicClient;
  jobManager: Address;
  /** First block to read: the deployment's start block, or the store's cursor after a restart. */
  fromBlock: bigint;
  /** Blocks a log must be buried under before it is yielded (reorg safety). Default 2. */
  confirmations?: number;
  /** Wait between head polls once caught up, ms. Default 1000. */
  pollIntervalMs?: number;
  /** Largest block range of one eth_getLogs (RPCs cap responses). Default 2000. */
  maxBlockRange?: bigint;
  /** Longest wait between retries after RPC errors, ms. Default 30000. */
  maxBackoffMs?: number;
  /** Told of every RPC failure before the retry; the range is read again, so nothing is lost. */
  onRpcError?: (error: unknown, attempt: number, retryInMs: number) => void;
  signal?: AbortSignal;
};

/** A block range read completely, with its job events in chain order. */
export type JobEventBatch = { fromBlock: bigint; toBlock: bigint; events: JobEvent[] };

/**
 * The agent's first stage: every job event of the job manager from `fromBlock` on, as batches of fully read
 * block ranges, first backfilling history, then following the head `confirmations` blocks behind it.
 * The consumer persists `toBlock + 1` as its cursor after handling a batch, so a restart resumes exactly
 * there. An RPC error retries the same range with exponential backoff: no range is ever skipped.
 * Ends when `signal` aborts.
 */
export function watchJobEvents(opts: WatchJobEventsOptions): AsyncGenerator<JobEventBatch> {
  return watchLogBatches({ ...opts, address: opts.jobManager, decode: toJobEvents });
}

/** A block range read completely, with one contract's decoded events in chain order. */
export type LogBatch<E> = { fromBlock: bigint; toBlock: bigint; events: E[] };

/**
 * The loop behind watchJobEvents, for any contract's logs: batches of fully read block ranges from
 * `fromBlock` on, `confirmations` behind the head, each range retried until read (see watchJobEvents).
 */
export async function* watchLogBatches<E>(
  opts: Omit<WatchJobEventsOptions, "jobManager"> & { address: Address; decode: (logs: Log[]) => E[] },
): AsyncGenerator<LogBatch<E>> {
  const confirmations = BigInt(opts.confirmations ?? 2);
  const pollMs = opts.pollIntervalMs ?? 1000;
  const maxRange = opts.maxBlockRange ?? 2000n;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  let next = opts.fromBlock;
  let failures = 0;
  while (!opts.signal?.aborted) {
    let batch: LogBatch<E> | undefined;
    try {
      const safeHead = (await opts.client.getBlockNumber()) - confirmations;
      if (safeHead >= next) {
        const toBlock = safeHead - next + 1n > maxRange ? next + maxRange - 1n : safeHead;
        const logs = await opts.client.getLogs({ address: opts.address, fromBlock: next, toBlock });
        batch = { fromBlock: next, toBlock, events: opts.decode(logs) };
      }
      failures = 0;
    } catch (error) {
      failures += 1;
      const retryIn = Math.min(maxBackoff, 250 * 2 ** Math.min(failures - 1, 16));
      opts.onRpcError?.(error, failures, retryIn);
      await sleep(retryIn, opts.signal);
      continue;
    }
    if (batch) {
      yield batch;
      next = batch.toBlock + 1n;
    } else {
      await sleep(pollMs, opts.signal);
    }
  }
}
