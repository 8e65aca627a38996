import {
  erc20Abi,
  type Hash,
  type Hex,
  isAddressEqual,
  isHex,
  parseEventLogs,
  size,
  type TransactionReceipt,
} from "viem";
import { jobManagerAbi } from "../../abi/generated.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { sendTransaction } from "../../client/sendTransaction.ts";
import { METRIC_MODE } from "../../constants.ts";
import { type JobSpec, type JobSpecInput, jobSpecKinds } from "../../spec/jobSpec.ts";
import type { SpecStore } from "../../spec/store/specStore.ts";
import { encodeSpec } from "../../spec/store/specStore.ts";
import { storeEncodedSpec } from "../../spec/store/storeSpec.ts";
import type { JobRecord } from "../getJobRecord.ts";
import { ensureAllowance } from "../token/ensureAllowance.ts";
import { getPermitDomain } from "../token/getPermitDomain.ts";
import { signPermit } from "../token/signPermit.ts";
import { requireTokenBalance } from "../token/tokenBalance.ts";
import { JobRequestError } from "./jobRequestError.ts";
import { type JobLimits, readJobLimits } from "./readJobLimits.ts";

export type SubmitJobParameters = {
  /** The job's spec document; validated, stored canonically in `specStore` and hashed. Its kind is the job's. */
  spec: JobSpecInput | JobSpec;
  /** Model registry id; required for train and infer jobs, 0 for none. */
  modelId: bigint;
  /** Dataset registry id; required for train jobs, 0 for none. */
  datasetId: bigint;
  /** sha256 digest of the runtime image (32 bytes). */
  imageDigest: Hex;
  /** Budget escrowed at submission, in token base units; the node is paid its (lower or equal) price. */
  maxPrice: bigint;
  /** Seconds nodes bid before claims open. Default 60, clamped to the contract's [minBidWindow, maxBidWindow]. */
  bidWindow?: number;
  /** Seconds the assigned node has to deliver after the claim window. Default 3600 (or the contract's limit if lower). */
  maxRuntime?: number;
  /** Node requirements; `gpuCount` defaults to the spec's `resources.gpus` and may not be below it. */
  requirements?: { gpuCount?: number; minVramGb?: number; minCertLevel?: number };
  /**
   * On-chain verification policy (uint8, docs/verification.md): bits 0-6 the audit rate override (0: the
   * contract's rate; n: n - 1 percent). Bit 7, metric mode, follows the spec's `verification.mode` and is set
   * here when the spec asks for "metric". Default 0.
   */
  verification?: number;
  /** Jobs that must be finalized before this one can be claimed. */
  dependsOn?: bigint[];
  /** Where the spec document goes. Default `{ kind: "inline" }`. */
  specStore?: SpecStore;
  /**
   * How the escrow is authorised when the allowance is short: "permit" (ERC-2612 signature in the submit
   * transaction), "approve" (an approve transaction first) or "auto" (permit when the token supports it).
   */
  approval?: "permit" | "approve" | "auto";
};

export type SubmitJobReturnType = {
  jobId: bigint;
  hash: Hash;
  specUri: string;
  specHash: Hex;
  /** The job's first record: what the next call on the job takes. */
  record: JobRecord;
  /** How the escrow was authorised: an existing allowance, an approve transaction, or a permit. */
  approval: { method: "allowance" } | { method: "approve"; hash: Hash } | { method: "permit" };
};

const UINT8 = 255;
const UINT16 = 65_535;
const UINT32 = 2 ** 32 - 1;
const UINT96 = 2n ** 96n - 1n;

/**
 * Submits a job: validates the spec and every parameter (JobRequestError / JobSpecError naming the field,
 * limits read from the contract), checks the wallet's balance covers `maxPrice` (InsufficientBalanceError in
 * token units), stores the spec, authorises the escrow (permit or approve) and sends submitJob. The job id
 * and first record come from the JobSubmitted event of the receipt. A refusal by the contract is an
 * ArthaTxError with its custom error's name.
 */
export async function submitJob(
  ctx: ArthaWriteContext,
  p: SubmitJobParameters,
): Promise<SubmitJobReturnType> {
  const encoded = encodeSpec(p.spec);
  const limits = await readJobLimits(ctx);
  const request = jobRequest(p, encoded.spec, limits);
  const account = ctx.walletClient.account.address;
  const jobManager = ctx.deployment.contracts.jobManager;
  await requireTokenBalance(ctx, { account, amount: p.maxPrice, purpose: "the job's escrow (maxPrice)" });

  const stored = await storeEncodedSpec(p.specStore ?? { kind: "inline" }, encoded);
  const req = { ...request, specHash: stored.specHash, specUri: stored.specUri };

  const allowance = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [account, jobManager],
  });
  let receipt: TransactionReceipt;
  let approval: SubmitJobReturnType["approval"];
  const mode = p.approval ?? "auto";
  const permitDomain =
    allowance < p.maxPrice && mode !== "approve" ? await getPermitDomain(ctx, { owner: account }) : undefined;
  if (allowance < p.maxPrice && mode === "permit" && !permitDomain) {
    throw new JobRequestError(
      "approval",
      `the token ${ctx.deployment.contracts.token} does not support ERC-2612 permits; use "approve" or "auto"`,
    );
  }
  if (permitDomain) {
    const { timestamp } = await ctx.publicClient.getBlock();
    // Chain time, not the local clock: they differ on devnets and after a sleep.
    const permit = await signPermit(ctx, {
      spender: jobManager,
      amount: p.maxPrice,
      deadline: timestamp + 3600n,
    });
    receipt = await sendTransaction(ctx, {
      label: "submitJob",
      address: jobManager,
      abi: jobManagerAbi,
      functionName: "submitJobWithPermit",
      args: [req, permit.deadline, permit.v, permit.r, permit.s],
    });
    approval = { method: "permit" };
  } else {
    const approved = await ensureAllowance(ctx, { spender: jobManager, amount: p.maxPrice });
    approval = approved.hash ? { method: "approve", hash: approved.hash } : { method: "allowance" };
    receipt = await sendTransaction(ctx, {
      label: "submitJob",
      address: jobManager,
      abi: jobManagerAbi,
      functionName: "submitJob",
      args: [req],
    });
  }
  const [submitted] = parseEventLogs({
    abi: jobManagerAbi,
    eventName: "JobSubmitted",
    logs: receipt.logs.filter((log) => isAddressEqual(log.address, jobManager)),
  });
  if (!submitted) {
    throw new Error(`submitJob: transaction ${receipt.transactionHash} has no JobSubmitted event`);
  }
  return {
    jobId: submitted.args.jobId,
    hash: receipt.transactionHash,
    specUri: stored.specUri,
    specHash: stored.specHash,
    record: submitted.args.job,
    approval,
  };
}

/** The contract's JobRequest without the spec's location, checked field by field against the contract's rules. */
function jobRequest(p: SubmitJobParameters, spec: JobSpec, limits: JobLimits) {
  const kind = jobSpecKinds.indexOf(spec.kind);
  const modelId = uintField("modelId", p.modelId, UINT32);
  const datasetId = uintField("datasetId", p.datasetId, UINT32);
  if (spec.kind !== "agent" && modelId === 0) {
    throw new JobRequestError("modelId", `a ${spec.kind} job needs a registered model; got 0`);
  }
  if (spec.kind === "train" && datasetId === 0) {
    throw new JobRequestError("datasetId", "a train job needs a registered dataset; got 0");
  }
  if (typeof p.imageDigest !== "string" || !isHex(p.imageDigest, { strict: true })) {
    throw new JobRequestError(
      "imageDigest",
      `expected 0x and 64 hex digits, got ${JSON.stringify(p.imageDigest)}`,
    );
  }
  if (size(p.imageDigest) !== 32) {
    throw new JobRequestError(
      "imageDigest",
      `expected a 32-byte sha256 digest, got ${size(p.imageDigest)} bytes`,
    );
  }
  if (/^0x0*$/.test(p.imageDigest))
    throw new JobRequestError("imageDigest", "is zero; expected the image's digest");
  if (typeof p.maxPrice !== "bigint" || p.maxPrice <= 0n || p.maxPrice > UINT96) {
    throw new JobRequestError(
      "maxPrice",
      `expected a bigint in [1, 2^96 - 1] base units, got ${String(p.maxPrice)}`,
    );
  }
  const bidWindow = p.bidWindow ?? Math.min(Math.max(60, limits.minBidWindow), limits.maxBidWindow);
  if (!Number.isInteger(bidWindow) || bidWindow < limits.minBidWindow || bidWindow > limits.maxBidWindow) {
    throw new JobRequestError(
      "bidWindow",
      `expected whole seconds in [${limits.minBidWindow}, ${limits.maxBidWindow}] (the job manager's limits), got ${bidWindow}`,
    );
  }
  const maxRuntime = p.maxRuntime ?? Math.min(3600, limits.maxRuntimeLimit);
  if (!Number.isInteger(maxRuntime) || maxRuntime < 1 || maxRuntime > limits.maxRuntimeLimit) {
    throw new JobRequestError(
      "maxRuntime",
      `expected whole seconds in [1, ${limits.maxRuntimeLimit}] (the job manager's limit), got ${maxRuntime}`,
    );
  }
  const gpus = spec.resources.gpus;
  const gpuCount = intField("requirements.gpuCount", p.requirements?.gpuCount ?? gpus, UINT8);
  if (gpuCount < gpus) {
    throw new JobRequestError(
      "requirements.gpuCount",
      `is ${gpuCount} but the spec asks for resources.gpus ${gpus}; a node gives the container at most gpuCount GPUs`,
    );
  }
  const requirements = {
    gpuCount,
    minVramGb: intField("requirements.minVramGb", p.requirements?.minVramGb ?? 0, UINT16),
    minCertLevel: intField("requirements.minCertLevel", p.requirements?.minCertLevel ?? 0, UINT8),
  };
  const policy = intField("verification", p.verification ?? 0, UINT8);
  const metric = spec.verification?.mode === "metric";
  if (policy & METRIC_MODE && !metric) {
    throw new JobRequestError(
      "verification",
      `sets bit 7 (metric mode) but the spec's verification is ${JSON.stringify(spec.verification ?? { mode: "exact" })}; metric mode needs {"mode": "metric", "metric", "tolerance"}`,
    );
  }
  // Verifiers compare what the spec says: the contract must count their verdicts, not their output roots.
  const verification = metric ? policy | METRIC_MODE : policy;
  const dependsOn = p.dependsOn ?? [];
  if (dependsOn.length > limits.maxDependencies) {
    throw new JobRequestError(
      "dependsOn",
      `lists ${dependsOn.length} jobs; the job manager allows at most ${limits.maxDependencies}`,
    );
  }
  dependsOn.forEach((id, i) => {
    if (typeof id !== "bigint" || id < 1n || id > limits.jobCount) {
      throw new JobRequestError(
        `dependsOn[${i}]`,
        `expected an existing job id in [1, ${limits.jobCount}], got ${String(id)}`,
      );
    }
  });
  return {
    kind,
    modelId,
    datasetId,
    imageDigest: p.imageDigest,
    requirements,
    maxPrice: p.maxPrice,
    bidWindow,
    maxRuntime,
    verification,
    dependsOn,
  };
}

function uintField(field: string, value: unknown, max: number): number {
  if (typeof value !== "bigint" || value < 0n || value > BigInt(max)) {
    throw new JobRequestError(field, `expected a bigint in [0, ${max}], got ${String(value)}`);
  }
  return Number(value);
}

function intField(field: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new JobRequestError(field, `expected an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}
