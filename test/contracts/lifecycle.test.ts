// Whole-job scenarios on a real Hardhat (EDR) chain through viem, deployed by the Ignition module.
import { arthaErrorsAbi } from "@arthaain/sdk";
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, getAddress, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { type Artha, deployArtha, JobKind, JobState, sha, TOKEN } from "../../scripts/lib/artha.ts";

/** Runs `fn`, expecting a revert with custom error `name` (from any ArthaAIN contract or the token);
 * returns the error's decoded arguments. */
async function revertsWith(fn: () => Promise<unknown>, name: string): Promise<readonly unknown[]> {
  try {
    await fn();
  } catch (e) {
    const revert = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : null;
    if (revert instanceof ContractFunctionRevertedError && revert.raw) {
      const decoded = decodeErrorResult({ abi: arthaErrorsAbi, data: revert.raw });
      expect(decoded.errorName).toBe(name);
      return decoded.args ?? [];
    }
    throw e;
  }
  throw new Error(`expected a revert with ${name}, but the call succeeded`);
}

async function openClaimWindow(a: Artha, jobId: bigint) {
  await a.timeTo(BigInt((await a.record(jobId)).bidEnd));
}

describe("job lifecycle on a Hardhat chain", () => {
  it("runs submit -> claim -> result -> finalize -> withdraw and pays exactly once", async () => {
    const a = await deployArtha();
    const node = a.operators[0]!;
    await a.registerNode(node);
    const { modelId, datasetId } = a;
    const maxPrice = 100n * TOKEN;
    const { jobId } = await a.submitJob(a.jobRequest({ modelId, datasetId, maxPrice }));
    expect(await a.token.read.balanceOf([a.jobManager.address])).toBe(maxPrice);

    await openClaimWindow(a, jobId);
    const price = 60n * TOKEN;
    await a.claim(node, jobId, price);
    const bond = (price * 15_000n) / 10_000n;
    expect((await a.nodeRegistry.read.getNode([node.account.address])).locked).toBe(bond);
    const claimed = await a.record(jobId);
    expect([claimed.state, claimed.claimer, claimed.price]).toEqual([
      JobState.Claimed,
      getAddress(node.account.address),
      price,
    ]);
    await revertsWith(() => a.submitResult(node, jobId, sha("early")), "ClaimWindowStillOpen");

    await a.timeTo(await a.claimEnd(jobId));
    const root = sha("output-root");
    await a.submitResult(node, jobId, root);
    const submitted = await a.record(jobId);
    expect([submitted.state, submitted.outputRoot]).toEqual([JobState.ResultSubmitted, root]);
    await revertsWith(() => a.finalize(jobId), "ChallengeWindowOpen");

    await a.time.increase(a.params.challengeWindow);
    await a.finalize(jobId);
    await revertsWith(() => a.finalize(jobId), "WrongState");
    // A record that is no longer current is refused: the contract checks every call against its hash.
    await revertsWith(
      async () => (await a.as(a.jobManager, node)).write.finalize([jobId, submitted]),
      "StaleJobRecord",
    );
    expect(await a.jobManager.read.balanceOf([node.account.address])).toBe(price);
    expect(await a.jobManager.read.balanceOf([a.requester.account.address])).toBe(maxPrice - price);
    expect((await a.nodeRegistry.read.getNode([node.account.address])).locked).toBe(0n);
    expect(await a.jobManager.read.jobCheckpoint([jobId, await a.record(jobId)])).toEqual([
      modelId,
      datasetId,
      getAddress(node.account.address),
      root,
    ]);

    const before = await a.token.read.balanceOf([node.account.address]);
    await (await a.as(a.jobManager, node)).write.withdraw([node.account.address]);
    expect(await a.token.read.balanceOf([node.account.address])).toBe(before + price);
    await (await a.as(a.jobManager, a.requester)).write.withdraw([a.requester.account.address]);
    expect(await a.token.read.balanceOf([a.jobManager.address])).toBe(0n);
  });

  it("runs a reverse auction among three claimers: the lowest is assigned, outbid bonds are released", async () => {
    const a = await deployArtha();
    const [n1, n2, n3] = a.operators;
    for (const n of [n1!, n2!, n3!]) await a.registerNode(n);
    const { jobId } = await a.submitJob(a.jobRequest());
    await openClaimWindow(a, jobId);

    await a.claim(n1!, jobId, 90n * TOKEN);
    await a.claim(n2!, jobId, 70n * TOKEN);
    const [, price, current] = await revertsWith(() => a.claim(n3!, jobId, 70n * TOKEN), "ClaimNotLower");
    expect([price, current]).toEqual([70n * TOKEN, 70n * TOKEN]);
    await a.claim(n3!, jobId, 50n * TOKEN);

    const locked = async (n: typeof n1) => (await a.nodeRegistry.read.getNode([n!.account.address])).locked;
    expect(await locked(n1)).toBe(0n);
    expect(await locked(n2)).toBe(0n);
    expect(await locked(n3)).toBe(75n * TOKEN);
    const events = await a.jobManager.getEvents.JobClaimed({ jobId }, { fromBlock: 0n });
    const [a1, a2, a3] = [n1!, n2!, n3!].map((n) => getAddress(n.account.address));
    expect(events.map((e) => [e.args.node, e.args.previous])).toEqual([
      [a1, zeroAddress],
      [a2, a1],
      [a3, a2],
    ]);

    await a.timeTo(await a.claimEnd(jobId));
    await revertsWith(() => a.claim(n1!, jobId, 10n * TOKEN), "ClaimWindowClosed");
    await revertsWith(() => a.submitResult(n2!, jobId, sha("x")), "NotAssignedNode");
    await a.submitResult(n3!, jobId, sha("x"));
  });

  it("cancels: full refund before assignment, node fee after it", async () => {
    const a = await deployArtha();
    const node = a.operators[0]!;
    await a.registerNode(node);
    const { jobId: open } = await a.submitJob(a.jobRequest());
    await a.cancel(open);
    expect(await a.jobManager.read.balanceOf([a.requester.account.address])).toBe(100n * TOKEN);

    const { jobId: assigned } = await a.submitJob(a.jobRequest());
    await openClaimWindow(a, assigned);
    await a.claim(node, assigned, 80n * TOKEN);
    await a.timeTo(await a.claimEnd(assigned));
    await revertsWith(() => a.cancel(assigned, node), "NotRequester");
    await a.cancel(assigned);
    const fee = 8n * TOKEN; // cancelFeeBps 10% of the 80-token price
    expect(await a.jobManager.read.balanceOf([node.account.address])).toBe(fee);
    expect(await a.jobManager.read.balanceOf([a.requester.account.address])).toBe(200n * TOKEN - fee);
    expect((await a.nodeRegistry.read.getNode([node.account.address])).locked).toBe(0n);
    await revertsWith(() => a.cancel(assigned), "JobNotCancellable");
  });

  it("expires a node that missed its deadline: bond slashed to the requester, job reopened, then refunded", async () => {
    const a = await deployArtha({ maxAttempts: 2 });
    const [slow, other] = a.operators;
    await a.registerNode(slow!);
    await a.registerNode(other!);
    const { jobId } = await a.submitJob(a.jobRequest({ maxRuntime: 600 }));
    await openClaimWindow(a, jobId);
    await a.claim(slow!, jobId, 40n * TOKEN);
    const deadline = await a.deadline(jobId);
    await revertsWith(() => a.expire(jobId), "NotExpirable");

    await a.timeTo(deadline + 1n);
    const requesterTokens = await a.token.read.balanceOf([a.requester.account.address]);
    await a.expire(jobId);
    const bond = 60n * TOKEN;
    expect(await a.token.read.balanceOf([a.requester.account.address])).toBe(requesterTokens + bond);
    const slashed = await a.nodeRegistry.read.getNode([slow!.account.address]);
    expect([slashed.stake, slashed.locked]).toEqual([1_000n * TOKEN - bond, 0n]);
    const reopened = await a.record(jobId);
    expect([reopened.state, reopened.attempts]).toEqual([JobState.Open, 1]);

    // Second auction: nobody claims; attempts are exhausted, so the job expires with a full refund.
    await a.timeTo(await a.claimEnd(jobId));
    await a.expire(jobId);
    expect((await a.record(jobId)).state).toBe(JobState.Expired);
    expect(await a.jobManager.read.balanceOf([a.requester.account.address])).toBe(100n * TOKEN);
  });

  it("makes a dependent job claimable only after its dependency is finalized", async () => {
    const a = await deployArtha();
    const node = a.operators[0]!;
    await a.registerNode(node);
    const { jobId: train } = await a.submitJob(a.jobRequest({ kind: JobKind.Train }));
    const { jobId: infer } = await a.submitJob(a.jobRequest({ kind: JobKind.Infer, dependsOn: [train] }));
    expect(await a.jobManager.read.dependenciesOf([infer])).toEqual([train]);

    await openClaimWindow(a, infer);
    await revertsWith(() => a.claim(node, infer, TOKEN), "DependencyRecordsMismatch");
    const [, dep, state] = await revertsWith(
      async () => a.claim(node, infer, TOKEN, [await a.record(train)]),
      "DependencyNotFinalized",
    );
    expect([dep, state]).toEqual([train, JobState.Open]);

    await a.claim(node, train, 10n * TOKEN);
    await a.timeTo(await a.claimEnd(train));
    await a.submitResult(node, train, sha("w"));
    await a.time.increase(a.params.challengeWindow);
    await a.finalize(train);
    // The infer job's first auction has closed meanwhile; reopen it and claim after the dependency is done.
    await a.expire(infer);
    await openClaimWindow(a, infer);
    await a.claim(node, infer, TOKEN, [await a.record(train)]);
    expect((await a.record(infer)).claimer).toBe(getAddress(node.account.address));
  });

  it("blocks payout on a challenge and falls back to a refund when no verdict comes", async () => {
    const a = await deployArtha();
    const node = a.operators[0]!;
    await a.registerNode(node);
    const { jobId } = await a.submitJob(a.jobRequest());
    await openClaimWindow(a, jobId);
    await a.claim(node, jobId, 30n * TOKEN);
    await a.timeTo(await a.claimEnd(jobId));
    await a.submitResult(node, jobId, sha("suspicious"));

    await revertsWith(() => a.challenge(jobId, node), "NotAChallenger"); // the worker itself
    await a.fund(a.requester.account.address, 10n * TOKEN, a.proofOfCompute.address);
    await a.challenge(jobId);
    expect((await a.record(jobId)).state).toBe(JobState.Disputed);
    await a.time.increase(a.params.challengeWindow);
    await revertsWith(() => a.finalize(jobId), "WrongState");

    const poc = await a.as(a.proofOfCompute, a.admin);
    await revertsWith(
      async () => poc.write.resolveUnverified([jobId, await a.record(jobId)]),
      "DisputeStillOpen",
    );
    await a.time.increase(a.params.disputeTimeout);
    await a.mined(poc.write.resolveUnverified([jobId, await a.record(jobId)]));
    const settled = await a.record(jobId);
    expect(settled.state).toBe(JobState.Failed);
    expect(await a.jobManager.read.balanceOf([a.requester.account.address])).toBe(100n * TOKEN);
    expect(await a.token.read.balanceOf([a.proofOfCompute.address])).toBe(0n);
    expect((await a.nodeRegistry.read.getNode([node.account.address])).locked).toBe(0n);
  });

  it("reads a job's record from the one block that last changed it, and refuses unknown jobs", async () => {
    const a = await deployArtha();
    const { jobId, receipt } = await a.submitJob(a.jobRequest());
    expect(await a.jobManager.read.lastChangeBlock([jobId])).toBe(receipt.blockNumber);
    const rec = await a.record(jobId);
    expect(await a.jobManager.read.isCurrent([jobId, rec])).toBe(true);
    expect(await a.jobManager.read.isCurrent([jobId, { ...rec, maxPrice: rec.maxPrice + 1n }])).toBe(false);
    await expect(a.record(99n)).rejects.toThrow("job 99 does not exist");
  });

  it("rejects bad submissions with specific errors", async () => {
    const a = await deployArtha();
    const jm = await a.as(a.jobManager, a.requester);
    await a.fund(a.requester.account.address, 1_000n * TOKEN, a.jobManager.address);
    const [kind] = await revertsWith(
      () => jm.write.submitJob([{ ...a.jobRequest(), kind: 7 }]),
      "InvalidJobKind",
    );
    expect(kind).toBe(7);
    await revertsWith(() => jm.write.submitJob([a.jobRequest({ maxPrice: 0n })]), "ZeroMaxPrice");
    const [model] = await revertsWith(
      () => jm.write.submitJob([a.jobRequest({ modelId: 42 })]),
      "UnknownModel",
    );
    expect(model).toBe(42);
    const [bw, min, max] = await revertsWith(
      () =>
        jm.write.submitJob([a.jobRequest({ modelId: 0, kind: JobKind.Agent, datasetId: 0, bidWindow: 1 })]),
      "BidWindowOutOfRange",
    );
    expect([bw, min, max]).toEqual([1, 5, 3600]);
    await revertsWith(
      () =>
        jm.write.submitJob([
          a.jobRequest({ kind: JobKind.Agent, modelId: 0, datasetId: 0, maxPrice: 10_000n * TOKEN }),
        ]),
      "ERC20InsufficientAllowance",
    );
  });
});
