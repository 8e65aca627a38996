import { getAddress, sha256, toHex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, JobState, sha, TOKEN } from "../../../../scripts/lib/artha.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { ArthaTxError } from "../../client/sendTransaction.ts";
import type { JobSpecInput } from "../../spec/jobSpec.ts";
import { cancelJob } from "./cancelJob.ts";
import { getJob } from "./getJob.ts";
import { getWithdrawable } from "./getWithdrawable.ts";
import { submitJob } from "./submitJob.ts";
import { type JobEvent, watchJob } from "./watchJob.ts";
import { withdrawFunds } from "./withdrawFunds.ts";

const infer = {
  kind: "infer",
  seed: 3,
  runtime: { data: { file: "test.csv" }, model: { checkpoint: "model.safetensors" } },
} satisfies JobSpecInput;

let a: Artha;
let ctx: ArthaWriteContext;
beforeAll(async () => {
  a = await deployArtha();
  ctx = a.sdkContext(a.requester);
  await a.registerNode(a.operators[0]!);
});

async function submit(maxPrice = 100n * TOKEN) {
  await a.mined(a.token.write.mint([a.requester.account.address, maxPrice]));
  return submitJob(ctx, {
    spec: infer,
    modelId: BigInt(a.modelId),
    datasetId: 0n,
    imageDigest: sha256(toHex("image")),
    maxPrice,
    bidWindow: 10,
    maxRuntime: 600,
  });
}

/** Every event the generator yields until it returns; fails if it has not returned within `ms`. */
async function collect(events: AsyncGenerator<JobEvent>, ms = 30_000): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`watchJob did not end within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([
      (async () => {
        for await (const event of events) out.push(event);
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
  return out;
}

describe("getJob and watchJob", () => {
  it("follow a job from submission to finalization, and a late watcher gets the same history", async () => {
    const node = a.operators[0]!;
    const { jobId, record } = await submit();
    const live = collect(watchJob(ctx, { jobId, pollingIntervalMs: 20 }));

    const open = await getJob(ctx, { jobId });
    expect(open.state).toBe("open");
    expect(open.kind).toBe("infer");
    expect(open.record).toEqual(record);
    expect(open.assigned).toBe(false);
    expect(open.times.bidEnd).toBe(BigInt(record.bidEnd));
    expect(open.times.claimEnd).toBe(BigInt(record.bidEnd) + 30n); // testParams.claimWindow
    expect(open.times.claimEnd).toBe(await a.claimEnd(jobId));
    expect(open.times.deadline).toBe(await a.deadline(jobId));
    expect(open.times.finalizableAt).toBeUndefined();

    await a.timeTo(open.times.bidEnd);
    await a.claim(node, jobId, 60n * TOKEN);
    const claimed = await getJob(ctx, { jobId });
    expect([claimed.state, claimed.assigned, claimed.record.claimer, claimed.record.price]).toEqual([
      "claimed",
      false,
      getAddress(node.account.address),
      60n * TOKEN,
    ]);

    await a.timeTo(claimed.times.claimEnd);
    expect((await getJob(ctx, { jobId })).assigned).toBe(true);
    await a.submitResult(node, jobId, sha("outputs"));
    const submitted = await getJob(ctx, { jobId });
    expect(submitted.state).toBe("resultSubmitted");
    expect(submitted.times.finalizableAt).toBe(submitted.times.resultAt! + 600n); // testParams.challengeWindow

    await a.timeTo(submitted.times.finalizableAt!);
    await a.finalize(jobId);
    const finalized = await getJob(ctx, { jobId });
    expect(finalized.state).toBe("finalized");

    const events = await live;
    expect(events.map((e) => e.name)).toEqual([
      "JobSubmitted",
      "JobClaimed",
      "ResultSubmitted",
      "JobFinalized",
    ]);
    for (const e of events) expect(e.jobId).toBe(jobId);
    const blocks = events.map((e) => e.blockNumber);
    expect([...blocks].sort((x, y) => (x < y ? -1 : 1))).toEqual(blocks);
    expect(events.map((e) => ("job" in e.args ? e.args.job.state : undefined))).toEqual([
      JobState.Open,
      JobState.Claimed,
      JobState.ResultSubmitted,
      JobState.Finalized,
    ]);
    const [sub, claim, result, fin] = events;
    expect(sub!.name === "JobSubmitted" && sub!.args.specUri.startsWith("data:")).toBe(true);
    expect(claim!.name === "JobClaimed" && claim!.args.node).toBe(getAddress(node.account.address));
    expect(result!.name === "ResultSubmitted" && result!.args.outputUri).toBe("file:///out");
    expect(fin!.name === "JobFinalized" && fin!.args.refund).toBe(40n * TOKEN);
    expect(fin!.args).toMatchObject({ job: finalized.record });
    expect(result!.timestamp).toBe(submitted.times.resultAt);
    const times = events.map((e) => e.timestamp!);
    expect([...times].sort((x, y) => (x < y ? -1 : 1))).toEqual(times);

    // Started after the end: the whole history from the submission block, then it returns.
    const late = await collect(watchJob(ctx, { jobId, pollingIntervalMs: 20 }));
    expect(late.map((e) => [e.name, e.transactionHash, e.logIndex])).toEqual(
      events.map((e) => [e.name, e.transactionHash, e.logIndex]),
    );
  });

  it("watchJob includes the proof contract's events and ends after a dispute's refund", async () => {
    const node = a.operators[0]!;
    const { jobId } = await submit();
    await a.timeTo((await getJob(ctx, { jobId })).times.bidEnd);
    await a.claim(node, jobId, 50n * TOKEN);
    await a.timeTo(await a.claimEnd(jobId));
    await a.submitResult(node, jobId, sha("disputed outputs"));
    const bond = await a.proofOfCompute.read.challengeBond();
    await a.fund(a.requester.account.address, bond, a.proofOfCompute.address);
    await a.challenge(jobId);
    expect((await getJob(ctx, { jobId })).state).toBe("disputed");
    await a.time.increase(3600); // testParams.disputeTimeout
    const poc = await a.as(a.proofOfCompute, a.admin);
    await a.mined(poc.write.resolveUnverified([jobId, await a.record(jobId)]));
    expect((await getJob(ctx, { jobId })).state).toBe("failed");

    const events = await collect(watchJob(ctx, { jobId, pollingIntervalMs: 20 }));
    expect(events.map((e) => e.name)).toEqual([
      "JobSubmitted",
      "JobClaimed",
      "ResultSubmitted",
      "JobDisputed",
      "Challenged",
      "VerifiersDrawn",
      "JobRefunded",
      "DisputeUnresolved",
    ]);
    const unresolved = events.at(-1)!;
    expect(unresolved.name === "DisputeUnresolved" && unresolved.args.bondReturned).toBe(bond);
    expect(unresolved.address.toLowerCase()).toBe(a.proofOfCompute.address.toLowerCase());
    expect(unresolved.transactionHash).toBe(events.at(-2)!.transactionHash);
  });

  it("watchJob ends quietly when its signal aborts", async () => {
    const { jobId } = await submit();
    const controller = new AbortController();
    const watcher = watchJob(ctx, { jobId, pollingIntervalMs: 20, signal: controller.signal });
    const first = await watcher.next();
    expect(first.done === false && first.value.name).toBe("JobSubmitted");
    const pending = watcher.next(); // waits for more: the job is still open
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it("getJob names an unknown job id", async () => {
    await expect(getJob(ctx, { jobId: 4242n })).rejects.toThrow(/job 4242 does not exist/);
  });
});

describe("cancelJob", () => {
  it("refunds the whole escrow of an open job to the requester's balance", async () => {
    const { jobId } = await submit(30n * TOKEN);
    const before = await a.jobManager.read.balanceOf([a.requester.account.address]);
    const cancelled = await cancelJob(ctx, { jobId });
    expect(cancelled.refunded).toBe(30n * TOKEN);
    expect(cancelled.nodeFee).toBe(0n);
    expect(await a.jobManager.read.balanceOf([a.requester.account.address])).toBe(before + 30n * TOKEN);
    expect((await a.publicClient.getTransactionReceipt({ hash: cancelled.hash })).status).toBe("success");
    expect((await getJob(ctx, { jobId })).state).toBe("cancelled");
    const history = await collect(watchJob(ctx, { jobId, pollingIntervalMs: 20 }));
    expect(history.map((e) => e.name)).toEqual(["JobSubmitted", "JobCancelled"]);

    const again = await cancelJob(ctx, { jobId }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ArthaTxError);
    expect((again as ArthaTxError).errorName).toBe("JobNotCancellable");
  });

  it("withdrawFunds pays the refunds out to the wallet, then has nothing to send", async () => {
    const { jobId } = await submit(12n * TOKEN);
    await cancelJob(ctx, { jobId });
    const me = a.requester.account.address;
    const owed = await getWithdrawable(ctx, { account: me });
    expect(owed).toBeGreaterThanOrEqual(12n * TOKEN);
    const wallet = await a.token.read.balanceOf([me]);
    const paid = await withdrawFunds(ctx);
    expect(paid.amount).toBe(owed);
    expect(paid.to).toBe(me);
    expect(await a.token.read.balanceOf([me])).toBe(wallet + owed);
    expect(await getWithdrawable(ctx, { account: me })).toBe(0n);

    const nonce = await a.publicClient.getTransactionCount({ address: me });
    expect(await withdrawFunds(ctx)).toEqual({ amount: 0n, to: me });
    expect(await a.publicClient.getTransactionCount({ address: me })).toBe(nonce);
    await expect(withdrawFunds(ctx, { to: "0x1234" as never })).rejects.toThrow("to: expected an address");
  });

  it("refuses someone else's job with the contract's NotRequester", async () => {
    const { jobId } = await submit(5n * TOKEN);
    const stranger = a.sdkContext(a.operators[1]!);
    const error = await cancelJob(stranger, { jobId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArthaTxError);
    expect((error as ArthaTxError).errorName).toBe("NotRequester");
    expect((error as ArthaTxError).label).toBe("cancelJob");
    expect((await getJob(ctx, { jobId })).state).toBe("open");
  });
});
