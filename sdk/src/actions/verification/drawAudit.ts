import type { Hash } from "viem";
import { proofOfComputeAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { proofEventsOf } from "./proofEventsOf.ts";

export type DrawAuditParameters = { jobId: bigint };

export type DrawAuditReturnType = {
  hash: Hash;
  /** Whether the result is audited: a dispute opened (the job is Disputed). Clear: it may be finalized. */
  audited: boolean;
  /** The block whose seed decided the draw. */
  seedBlock: bigint;
  /** When audited: the verifier round the dispute opened with (see getVerifierDraw). */
  verifiers?: { round: number; seed: bigint; seedBlock: bigint; commitEnd: bigint };
};

/**
 * Records the random audit draw of a job's result (anyone may; docs/verification.md step 2) from the seed of
 * the block `auditDelay` after the result: clear, the job may be finalized; audited (or the seed gone), a
 * dispute opens. Reads the current record itself. Too early is an ArthaTxError `SeedNotReady`, a second
 * draw `AuditAlreadyDrawn` (clear) or `NotAuditable` (already disputed).
 */
export async function drawAudit(
  ctx: ArthaWriteContext,
  { jobId }: DrawAuditParameters,
): Promise<DrawAuditReturnType> {
  const { jobManager, proofOfCompute } = ctx.deployment.contracts;
  const record = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const receipt = await sendTransaction(ctx, {
    label: "drawAudit",
    address: proofOfCompute,
    abi: proofOfComputeAbi,
    functionName: "drawAudit",
    args: [jobId, record],
  });
  const logs = proofEventsOf(receipt, proofOfCompute);
  const drawn = logs.find((l) => l.eventName === "AuditDrawn");
  const opened = logs.find((l) => l.eventName === "VerifiersDrawn");
  if (drawn?.eventName !== "AuditDrawn")
    throw new Error(`drawAudit: no AuditDrawn event in ${receipt.transactionHash}`);
  return {
    hash: receipt.transactionHash,
    audited: drawn.args.audited,
    seedBlock: drawn.args.seedBlock,
    ...(opened?.eventName === "VerifiersDrawn"
      ? {
          verifiers: {
            round: opened.args.round,
            seed: opened.args.seed,
            seedBlock: opened.args.seedBlock,
            commitEnd: BigInt(opened.args.commitEnd),
          },
        }
      : {}),
  };
}
