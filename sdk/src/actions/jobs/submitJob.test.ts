import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { erc20Abi, getAddress, parseEventLogs, sha256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, JobKind, JobState, TOKEN } from "../../../../scripts/lib/artha.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { ArthaTxError } from "../../client/sendTransaction.ts";
import { canonicalSpecJson } from "../../spec/canonicalSpecJson.ts";
import type { JobSpecInput } from "../../spec/jobSpec.ts";
import { JobSpecError } from "../../spec/jobSpecError.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { InsufficientBalanceError } from "../token/tokenBalance.ts";
import { getJobSubmission } from "./getJobSubmission.ts";
import { JobRequestError } from "./jobRequestError.ts";
import { submitAgentJob } from "./submitAgentJob.ts";
import { submitInferJob } from "./submitInferJob.ts";
import { type SubmitJobParameters, submitJob } from "./submitJob.ts";
import { submitTrainJob } from "./submitTrainJob.ts";

const train = {
  kind: "train",
  seed: 7,
  runtime: { data: { file: "train.csv", label: "label" }, model: { type: "mlp", classes: 3 } },
  hyperparameters: { epochs: 4 },
} satisfies JobSpecInput;
const agent = {
  kind: "agent",
  seed: 1,
  runtime: { agent: { program: "csv_analyst.py", task: { question: "mean price" } } },
} satisfies JobSpecInput;
const imageDigest = sha256(toHex("runtime image"));

let a: Artha;
let ctx: ArthaWriteContext;
let tmp: string;
beforeAll(async () => {
  a = await deployArtha();
  ctx = a.sdkContext(a.requester);
  tmp = mkdtempSync(join(tmpdir(), "artha-submit-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const params = (o: Partial<SubmitJobParameters> = {}): SubmitJobParameters => ({
  spec: train,
  modelId: BigInt(a.modelId),
  datasetId: BigInt(a.datasetId),
  imageDigest,
  maxPrice: 100n * TOKEN,
  bidWindow: 10,
  ...o,
});
const requester = () => a.requester.account.address;
const tokens = (account: `0x${string}`) => a.token.read.balanceOf([account]);
const allowance = () => a.token.read.allowance([requester(), a.jobManager.address]);
async function mintTo(amount: bigint) {
  await a.mined(a.token.write.mint([requester(), amount]));
}
async function refusal(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error("expected a refusal, the call succeeded");
    },
    (e: unknown) => e as Error,
  );
}

describe("submitJob", () => {
  it("escrows maxPrice with a permit in the submit transaction and commits the inline spec", async () => {
    await mintTo(100n * TOKEN);
    const [mine, escrow] = await Promise.all([tokens(requester()), tokens(a.jobManager.address)]);
    const result = await submitJob(ctx, params());

    expect(result.approval).toEqual({ method: "permit" });
    expect(result.jobId).toBe(await a.jobManager.read.jobCount());
    expect(await tokens(requester())).toBe(mine - 100n * TOKEN);
    expect(await tokens(a.jobManager.address)).toBe(escrow + 100n * TOKEN);
    expect(await allowance()).toBe(0n);
    expect(result.record).toMatchObject({
      requester: getAddress(requester()),
      maxPrice: 100n * TOKEN,
      state: JobState.Open,
      kind: JobKind.Train,
      modelId: a.modelId,
      datasetId: a.datasetId,
      bidWindow: 10,
      maxRuntime: 3600,
      gpuCount: 0,
    });
    expect(await a.jobManager.read.isCurrent([result.jobId, result.record])).toBe(true);

    // The URI carries exactly the canonical bytes, and their sha256 is the hash on chain.
    const submission = await getJobSubmission(ctx, { jobId: result.jobId });
    expect(submission.specUri).toBe(result.specUri);
    expect(submission.specHash).toBe(result.specHash);
    expect(submission.imageDigest).toBe(imageDigest);
    expect(submission.transactionHash).toBe(result.hash);
    const bytes = Buffer.from(submission.specUri.replace(/^data:application\/json;base64,/, ""), "base64");
    expect(bytes.toString("utf8")).toBe(canonicalSpecJson(train));
    expect(sha256(bytes)).toBe(submission.specHash);
  });

  it("approves exactly maxPrice first with approval: approve, and the submit consumes it", async () => {
    await mintTo(40n * TOKEN);
    const result = await submitJob(ctx, params({ maxPrice: 40n * TOKEN, approval: "approve" }));
    expect(result.approval.method).toBe("approve");
    const hash = (result.approval as { hash: `0x${string}` }).hash;
    const receipt = await a.publicClient.getTransactionReceipt({ hash });
    const [approval] = parseEventLogs({ abi: erc20Abi, eventName: "Approval", logs: receipt.logs });
    expect(approval!.args.value).toBe(40n * TOKEN);
    expect(approval!.args.spender).toBe(getAddress(a.jobManager.address));
    expect(await allowance()).toBe(0n);
    expect(result.record.maxPrice).toBe(40n * TOKEN);
  });

  it("uses an allowance that already covers maxPrice without a permit or approve", async () => {
    await mintTo(20n * TOKEN);
    await a.mined((await a.as(a.token, a.requester)).write.approve([a.jobManager.address, 25n * TOKEN]));
    const result = await submitJob(ctx, params({ maxPrice: 20n * TOKEN }));
    expect(result.approval).toEqual({ method: "allowance" });
    expect(await allowance()).toBe(5n * TOKEN);
    await a.mined((await a.as(a.token, a.requester)).write.approve([a.jobManager.address, 0n]));
  });

  it("refuses a balance below maxPrice with both amounts in token units, before any transaction", async () => {
    const balance = await tokens(requester());
    const count = await a.jobManager.read.jobCount();
    const error = await refusal(submitJob(ctx, params({ maxPrice: balance + 1_500_000n })));
    expect(error).toBeInstanceOf(InsufficientBalanceError);
    expect(error.message).toContain(`holds ${Number(balance) / 1e6} aUSD`);
    expect(error.message).toContain(`needs ${Number(balance + 1_500_000n) / 1e6} aUSD (short by 1.5 aUSD)`);
    expect(await a.jobManager.read.jobCount()).toBe(count);
  });

  it("refuses an invalid spec naming the field", async () => {
    await mintTo(100n * TOKEN);
    const error = await refusal(submitJob(ctx, params({ spec: { ...train, resources: { cpus: 0 } } })));
    expect(error).toBeInstanceOf(JobSpecError);
    expect((error as JobSpecError).path).toBe("spec.resources.cpus");
    const missing = await refusal(submitJob(ctx, params({ spec: { kind: "train", runtime: {} } as never })));
    expect(missing.message).toBe("spec.seed: missing; expected an integer in [0, 4294967295]");
  });

  it.each([
    ["imageDigest", { imageDigest: "0x1234" as const }, "expected a 32-byte sha256 digest, got 2 bytes"],
    [
      "imageDigest",
      { imageDigest: "sha256:abc" as never },
      'expected 0x and 64 hex digits, got "sha256:abc"',
    ],
    ["imageDigest", { imageDigest: `0x${"0".repeat(64)}` as const }, "is zero"],
    ["maxPrice", { maxPrice: 0n }, "expected a bigint in [1, 2^96 - 1] base units, got 0"],
    ["bidWindow", { bidWindow: 2 }, "expected whole seconds in [5, 3600] (the job manager's limits), got 2"],
    ["bidWindow", { bidWindow: 3601 }, "in [5, 3600]"],
    ["maxRuntime", { maxRuntime: 0 }, `expected whole seconds in [1, ${7 * 24 * 3600}]`],
    ["modelId", { modelId: 0n }, "a train job needs a registered model; got 0"],
    ["datasetId", { datasetId: 0n }, "a train job needs a registered dataset; got 0"],
    ["modelId", { modelId: 2n ** 32n }, "expected a bigint in [0, 4294967295]"],
    [
      "requirements.gpuCount",
      { spec: { ...train, resources: { gpus: 2 } }, requirements: { gpuCount: 1 } },
      "is 1 but the spec asks for resources.gpus 2",
    ],
    ["requirements.minVramGb", { requirements: { minVramGb: 70_000 } }, "expected an integer in [0, 65535]"],
    ["verification", { verification: 256 }, "expected an integer in [0, 255], got 256"],
    [
      "verification",
      { verification: 0x80 | 51 },
      'sets bit 7 (metric mode) but the spec\'s verification is {"mode":"exact"}',
    ],
    ["dependsOn[0]", { dependsOn: [999n] }, "expected an existing job id"],
  ])("refuses a bad %s before any transaction (%#)", async (field, override, message) => {
    const count = await a.jobManager.read.jobCount();
    const error = await refusal(submitJob(ctx, params(override as Partial<SubmitJobParameters>)));
    expect(error).toBeInstanceOf(JobRequestError);
    expect((error as JobRequestError).field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.message).toContain(message);
    expect(await a.jobManager.read.jobCount()).toBe(count);
  });

  it("sets metric mode (bit 7) on-chain when the spec compares a metric, keeping the audit rate bits", async () => {
    const spec = {
      ...train,
      verification: { mode: "metric" as const, metric: "trainLoss", tolerance: 0.01 },
    };
    await mintTo(1_000n);
    const { jobId } = await submitJob(ctx, params({ spec, verification: 51, maxPrice: 1_000n }));
    const record = await getJobRecord(a.publicClient as never, { jobManager: a.jobManager.address, jobId });
    expect(record.verification).toBe(0x80 | 51);
  });

  it("surfaces the contract's refusal as ArthaTxError with its error name", async () => {
    const error = await refusal(submitJob(ctx, params({ modelId: 99n })));
    expect(error).toBeInstanceOf(ArthaTxError);
    expect((error as ArthaTxError).errorName).toBe("UnknownModel");
    expect(error.message).toBe("submitJob refused by the contract: UnknownModel(99)");
  });

  it("stores the spec in a directory store and commits its file", async () => {
    const dir = join(tmp, "specs");
    const result = await submitJob(ctx, params({ specStore: { kind: "directory", dir }, maxPrice: TOKEN }));
    const path = fileURLToPath(result.specUri);
    expect(path).toBe(join(dir, `${result.specHash.slice(2)}.json`));
    const bytes = readFileSync(path);
    expect(bytes.toString("utf8")).toBe(canonicalSpecJson(train));
    expect((await getJobSubmission(ctx, { jobId: result.jobId })).specHash).toBe(sha256(bytes));
  });

  it("has kind-checked wrappers: submitAgentJob needs no model, the others refuse another kind", async () => {
    const result = await submitAgentJob(ctx, {
      spec: agent,
      imageDigest,
      maxPrice: TOKEN,
      bidWindow: 5,
      requirements: { minCertLevel: 0 },
    });
    expect([result.record.kind, result.record.modelId, result.record.datasetId]).toEqual([
      JobKind.Agent,
      0,
      0,
    ]);
    const wrong = await refusal(submitInferJob(ctx, params() as never));
    expect(wrong).toBeInstanceOf(JobRequestError);
    expect(wrong.message).toBe('spec.kind: submitInferJob takes an "infer" spec, got "train"');
    const trained = await submitTrainJob(ctx, { ...params({ maxPrice: TOKEN }), spec: train });
    expect(trained.record.kind).toBe(JobKind.Train);
  });
});
