import { proofOfComputeAbi } from "@arthaain/sdk";
import { type Hex, type Log, parseEventLogs } from "viem";

/** ProofOfCompute events the verifier role follows (docs/verification.md). */
export const proofEventNames = [
  "VerifiersDrawn",
  "Committed",
  "Revealed",
  "VerifierSlashed",
  "DisputeResolved",
  "DisputeUnresolved",
] as const;
export type ProofEventName = (typeof proofEventNames)[number];

/** One dispute event of one job. */
export type ProofEvent = {
  name: ProofEventName;
  jobId: bigint;
  /** The event's own fields (round, seed, verifier, …), as decoded. */
  args: Record<string, unknown>;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
};

const names = new Set<string>(proofEventNames);

/** Decodes raw ProofOfCompute logs into dispute events, in chain order; other events are skipped. */
export function toProofEvents(logs: Log[]): ProofEvent[] {
  const events: ProofEvent[] = [];
  for (const log of parseEventLogs({ abi: proofOfComputeAbi, logs, strict: true })) {
    if (!names.has(log.eventName)) continue;
    const args = log.args as Record<string, unknown> & { jobId: bigint };
    events.push({
      name: log.eventName as ProofEventName,
      jobId: args.jobId,
      args,
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
      transactionHash: log.transactionHash,
    });
  }
  return events;
}
