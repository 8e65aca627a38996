import { getAddress, type Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, JobState, sha, TOKEN } from "../../../../scripts/lib/artha.ts";
import { ArthaTxError } from "../../client/sendTransaction.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { challengeResult } from "./challengeResult.ts";
import { commitVerification, verificationCommitment } from "./commitVerification.ts";
import { drawAudit } from "./drawAudit.ts";
import { drawPositions, getVerifierDraw } from "./getVerifierDraw.ts";
import { nextVerificationRound } from "./nextVerificationRound.ts";
import { proofEventsOf } from "./proofEventsOf.ts";
import { resolveDispute } from "./resolveDispute.ts";
import { resolveDisputeSigned } from "./resolveDisputeSigned.ts";
import { revealVerification } from "./revealVerification.ts";
import {
  recoverBallotSigner,
  type SignedVerificationVote,
  signVerificationVote,
} from "./signVerificationVote.ts";
import { slashAbsentVerifier } from "./slashAbsentVerifier.ts";

let a: Artha;
const root = sha("outputs");
const price = 60n * TOKEN;
const maxPrice = 100n * TOKEN;

beforeAll(async () => {
  // Audits only where a job asks (verification 101: always); a 10% budget so verifiers earn fees.
  a = await deployArtha({ auditBps: 0, verificationBudgetBps: 1000 });
  // Eight nodes: a round's 2k = 6 places never name them all, so a node can be left out of a draw.
  for (let i = 0; i < 8; i++) await a.registerNode(a.operators[i]!);
});

const byAddress = (address: string) =>
  a.wallets.find((w) => w.account.address.toLowerCase() === address.toLowerCase())!;
const record = (jobId: bigint) =>
  getJobRecord(a.publicClient as never, { jobManager: a.jobManager.address, jobId });
const drawOf = (jobId: bigint) =>
  getVerifierDraw(a.publicClient as never, {
    proofOfCompute: a.proofOfCompute.address,
    nodeRegistry: a.nodeRegistry.address,
    jobId,
  });

/** A job of the requester with a result from operator 0 (the worker), audited or not by its policy. */
async function resultSubmitted(verification: number) {
  const { jobId } = await a.submitJob(a.jobRequest({ verification, maxPrice }));
  await a.timeTo((await record(jobId)).bidEnd);
  await a.claim(a.operators[0]!, jobId, price);
  await a.timeTo(await a.claimEnd(jobId));
  await a.submitResult(a.operators[0]!, jobId, root);
  return jobId;
}

/** Mines until a call sees the seed block (result block + auditDelay) in the past. */
async function pastSeedBlock() {
  await a.conn.networkHelpers.mine(Number(await a.proofOfCompute.read.auditDelay()) + 1);
}

/** Every drawn verifier commits and reveals `resultOf(verifier)` through the SDK actions. */
async function vote(jobId: bigint, resultOf: (i: number, voters: number) => Hex) {
  const draw = (await drawOf(jobId))!;
  const voters = draw.verifiers.slice(0, draw.k);
  const salts = voters.map((v) => sha(`salt ${jobId} ${v.address}`));
  for (const [i, v] of voters.entries()) {
    const ctx = a.sdkContext(byAddress(v.address));
    const result = resultOf(i, voters.length);
    const c = await commitVerification(ctx, { jobId, result, agrees: result === root, salt: salts[i]! });
    expect(c.index).toBe(v.index);
    expect(c.commitment).toBe(verificationCommitment(jobId, v.address, result, result === root, salts[i]!));
  }
  // The reveal phase opens once k verifiers committed, or at commitEnd when the draw found fewer.
  if (voters.length < draw.k) await a.timeTo(draw.commitEnd);
  for (const [i, v] of voters.entries()) {
    const ctx = a.sdkContext(byAddress(v.address));
    const result = resultOf(i, voters.length);
    const r = await revealVerification(ctx, { jobId, result, agrees: result === root, salt: salts[i]! });
    expect(r.agrees).toBe(result === root);
  }
  return voters;
}

describe("verification actions", () => {
  it("drawPositions: a seeded shuffle, distinct positions in the active set, as many places as exist", () => {
    for (let seed = 1n; seed <= 200n; seed++) {
      const active = 1n + (seed % 9n);
      const positions = drawPositions(seed, 1, 6, active);
      expect(positions).toHaveLength(Math.min(6, Number(active)));
      expect(new Set(positions).size).toBe(positions.length);
      for (const p of positions) expect(p >= 0n && p < active).toBe(true);
      // A place depends only on the places before it: a longer draw extends a shorter one.
      expect(drawPositions(seed, 1, 3, active)).toEqual(positions.slice(0, 3));
    }
    // With as many places as nodes, the draw is a permutation of the whole set.
    expect([...drawPositions(7n, 2, 6, 6n)].sort()).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
  });

  it("an always-audited result: drawAudit opens the dispute, the verifiers agree, it is upheld and paid", async () => {
    const jobId = await resultSubmitted(101);
    const ctx = a.sdkContext(a.admin);
    // The seed block (result block + auditDelay) is not past yet.
    const early = await drawAudit(ctx, { jobId }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(ArthaTxError);
    expect((early as ArthaTxError).errorName).toBe("SeedNotReady");
    await pastSeedBlock();

    const drawn = await drawAudit(ctx, { jobId });
    expect(drawn.audited).toBe(true);
    expect(drawn.verifiers?.round).toBe(1);
    expect(drawn.verifiers?.seed).not.toBe(0n); // the audit's own seed, known already
    expect((await record(jobId)).state).toBe(JobState.Disputed);
    const draw = (await drawOf(jobId))!;
    expect(draw.seedStatus).toBe("fixed");
    expect(draw.seed).toBe(drawn.verifiers!.seed);
    expect(draw.revealEnd - draw.commitEnd).toBe(BigInt(await a.proofOfCompute.read.revealWindow()));

    const voters = await vote(jobId, () => root);
    expect(voters).toHaveLength(3); // the draw has no repeats: k = 3 distinct verifiers
    const resolved = await resolveDispute(ctx, { jobId });
    expect(resolved.upheld).toBe(true);
    const sorted = voters.map((v) => getAddress(v.address)).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    expect(resolved.majority).toEqual(sorted);
    expect((await record(jobId)).state).toBe(JobState.Finalized);

    // Each majority verifier gets budget / k; the worker its price; the requester the rest.
    const fee = (maxPrice * 1000n) / 10_000n / 3n;
    const worker = getAddress(a.operators[0]!.account.address);
    const payouts = Object.fromEntries(resolved.payouts.map((p) => [getAddress(p.payee), p.amount]));
    expect(payouts[worker]).toBe(price);
    for (const v of sorted) {
      expect(payouts[v]).toBe(fee);
      expect(await a.jobManager.read.balanceOf([v])).toBe(fee);
    }
    expect(await a.jobManager.read.balanceOf([worker])).toBe(price);
    expect(payouts[getAddress(a.requester.account.address)]).toBe(
      maxPrice - price - BigInt(sorted.length) * fee,
    );

    // Resolved: there is no dispute left to resolve.
    const again = await resolveDispute(ctx, { jobId }).catch((e: unknown) => e);
    expect((again as ArthaTxError).errorName).toBe("NoChallenge");
    expect(await drawOf(jobId)).toBeUndefined();
  });

  it("a rejected result: the majority reveals another root, the worker's bond is slashed and the job fails", async () => {
    const ctx = a.sdkContext(a.requester);
    const jobId = await resultSubmitted(101);
    await pastSeedBlock();
    expect((await drawAudit(ctx, { jobId })).audited).toBe(true);
    const honest = sha("the real outputs");
    // One verifier sides with the worker, the other two find another root.
    const voters = await vote(jobId, (i) => (i === 0 ? root : honest));
    expect(voters).toHaveLength(3);
    const resolved = await resolveDispute(ctx, { jobId });
    expect(resolved.upheld).toBe(false);
    const majority = voters
      .slice(1)
      .map((v) => getAddress(v.address))
      .sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    expect(resolved.majority).toEqual(majority);
    const final = await record(jobId);
    expect(final.state).toBe(JobState.Failed);
    const worker = getAddress(a.operators[0]!.account.address);
    expect(resolved.payouts.some((p) => getAddress(p.payee) === worker)).toBe(false);
    // The minority verifier gets nothing from this job; the majority share the budget and part of the bond.
    const minority = getAddress(voters[0]!.address);
    expect(resolved.payouts.some((p) => getAddress(p.payee) === minority)).toBe(false);
    const fees = resolved.payouts.filter((p) => majority.includes(getAddress(p.payee)));
    expect(fees).toHaveLength(majority.length);
    expect(fees[0]!.amount).toBeGreaterThan((maxPrice * 1000n) / 10_000n / 3n);
  });

  it("getVerifierDraw computes a challenge's draw from its seed block before the seed is fixed, as verifierAt then says", async () => {
    const jobId = await resultSubmitted(0);
    await a.fund(
      a.requester.account.address,
      await a.proofOfCompute.read.challengeBond(),
      a.proofOfCompute.address,
    );
    await a.challenge(jobId);
    const pending = (await drawOf(jobId))!;
    expect(pending.seedStatus).toBe("pending");
    expect(pending.seed).toBeNull();
    expect(pending.verifiers).toEqual([]);
    expect(pending.challenger).toBe(getAddress(a.requester.account.address));
    await a.conn.networkHelpers.mine(Number(pending.seedBlock - pending.blockNumber) + 1);

    const computed = (await drawOf(jobId))!;
    expect(computed.seedStatus).toBe("computed");
    expect(computed.seed).not.toBeNull();
    const worker = getAddress(a.operators[0]!.account.address);
    expect(computed.verifiers.length).toBeGreaterThan(0);
    expect(computed.verifiers.map((v) => getAddress(v.address))).not.toContain(worker);
    expect(new Set(computed.verifiers.map((v) => v.address)).size).toBe(computed.verifiers.length);
    // Not drawn (8 nodes, 6 places: one besides the worker is always left out): the SDK says so before
    // sending anything.
    const outsider = a.operators
      .slice(0, 8)
      .find(
        (o) =>
          getAddress(o.account.address) !== worker &&
          !computed.verifiers.some((v) => getAddress(v.address) === getAddress(o.account.address)),
      );
    expect(outsider).toBeDefined();
    await expect(
      commitVerification(a.sdkContext(outsider!), { jobId, result: root, agrees: true, salt: sha("x") }),
    ).rejects.toThrow(/not drawn/);

    // The first commit fixes the seed on-chain: the same seed, the same verifiers as verifierAt.
    const first = computed.verifiers[0]!;
    await commitVerification(a.sdkContext(byAddress(first.address)), {
      jobId,
      result: root,
      agrees: true,
      salt: sha("salt"),
    });
    const fixed = (await drawOf(jobId))!;
    expect(fixed.seedStatus).toBe("fixed");
    expect(fixed.seed).toBe(computed.seed);
    expect(fixed.verifiers).toEqual(computed.verifiers);
    expect(fixed.commits).toBe(1);
    for (let i = 0n; i < 2n * BigInt(fixed.k); i++) {
      const onChain = await a.proofOfCompute.read.verifierAt([jobId, fixed.round, i]);
      const drawnAt = fixed.verifiers.find((v) => v.index === i);
      // The one place skipped holds the worker (the challenger is the requester, not a node).
      expect(getAddress(onChain)).toBe(drawnAt ? getAddress(drawnAt.address) : worker);
    }
    // The helper scripts use the same computation.
    expect(await a.drawnVerifiers(jobId, 2)).toEqual(fixed.verifiers.slice(0, 2));

    // The only committer never reveals: after the reveal phase the round can be replaced and it slashed.
    await a.timeTo(fixed.revealEnd);
    const ctx = a.sdkContext(a.admin);
    const next = await nextVerificationRound(ctx, { jobId });
    expect(next.round).toBe(2);
    const slashed = await slashAbsentVerifier(ctx, { jobId, verifier: first.address });
    expect(slashed.amount).toBe(await a.proofOfCompute.read.absentPenalty());
    const round2 = (await drawOf(jobId))!;
    expect([round2.round, round2.commits]).toEqual([2, 0]);
  });
  it("signed votes: k verifiers sign off-chain, one transaction settles the dispute; a split vote is refused", async () => {
    const ctx = a.sdkContext(a.requester);
    const jobId = await resultSubmitted(101);
    await pastSeedBlock();
    expect((await drawAudit(ctx, { jobId })).audited).toBe(true);
    const draw = (await drawOf(jobId))!;
    const voters = draw.verifiers.slice(0, draw.k);
    const sign = (i: number, result: Hex): Promise<SignedVerificationVote> =>
      signVerificationVote(a.sdkContext(byAddress(voters[i]!.address)), {
        jobId,
        round: draw.round,
        index: voters[i]!.index,
        result,
        agrees: result === root,
        salt: sha(`signed salt ${i}`),
      });
    const votes = await Promise.all(voters.map((_, i) => sign(i, root)));
    const { chainId, contracts } = a.sdkContext(a.admin).deployment;
    for (const [i, v] of votes.entries()) {
      expect(getAddress(v.verifier)).toBe(getAddress(voters[i]!.address));
      expect(v.commitment).toBe(verificationCommitment(jobId, v.verifier, v.result, v.agrees, v.salt));
      expect(getAddress(await recoverBallotSigner(chainId, contracts.proofOfCompute, { jobId, ...v }))).toBe(
        getAddress(v.verifier),
      );
      // A ballot for another round names someone else: a peer's forged or replayed vote shows.
      const other = await recoverBallotSigner(chainId, contracts.proofOfCompute, { jobId, ...v, round: 2 });
      expect(getAddress(other)).not.toBe(getAddress(v.verifier));
    }

    const split = [votes[0]!, votes[1]!, await sign(2, sha("another root"))];
    const refused = await resolveDisputeSigned(ctx, { jobId, votes: split }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ArthaTxError);
    expect((refused as ArthaTxError).errorName).toBe("NotUnanimous");

    const resolved = await resolveDisputeSigned(ctx, { jobId, votes });
    expect(resolved.upheld).toBe(true);
    expect(resolved.majority.map((x) => getAddress(x))).toEqual(voters.map((v) => getAddress(v.address)));
    expect((await record(jobId)).state).toBe(JobState.Finalized);
    const fee = (maxPrice * 1000n) / 10_000n / 3n;
    const payouts = Object.fromEntries(resolved.payouts.map((p) => [getAddress(p.payee), p.amount]));
    expect(payouts[getAddress(a.operators[0]!.account.address)]).toBe(price);
    for (const v of voters) expect(payouts[getAddress(v.address)]).toBe(fee);
    expect(await drawOf(jobId)).toBeUndefined();
  });
  it("challengeResult: the requester challenges with its bond (approved exactly), a second challenge is refused", async () => {
    const jobId = await resultSubmitted(1); // never audited
    const ctx = a.sdkContext(a.requester);
    const requester = a.requester.account.address;
    const bond = await a.proofOfCompute.read.challengeBond();
    await a.mined(a.token.write.mint([requester, bond]));
    const before = await a.token.read.balanceOf([requester]);
    const held = await a.token.read.balanceOf([a.proofOfCompute.address]);
    const c = await challengeResult(ctx, { jobId });
    expect(getAddress(c.challenger)).toBe(getAddress(requester));
    expect(c.bond).toBe(bond);
    expect(await a.token.read.balanceOf([requester])).toBe(before - bond);
    expect(await a.token.read.balanceOf([a.proofOfCompute.address])).toBe(held + bond);
    expect(await a.token.read.allowance([requester, a.proofOfCompute.address])).toBe(0n); // exact approval
    expect((await record(jobId)).state).toBe(JobState.Disputed);
    const draw = (await drawOf(jobId))!;
    expect(draw.seedBlock).toBe(c.seedBlock);
    expect(draw.challenger).toBe(getAddress(requester));
    // Refused before anything is sent: no approval of a bond the contract would not take, even when affordable.
    await a.mined(a.token.write.mint([requester, bond]));
    const nonce = await a.publicClient.getTransactionCount({ address: requester });
    const again = await challengeResult(ctx, { jobId }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ArthaTxError);
    expect((again as ArthaTxError).errorName).toBe("WrongState");
    expect(await a.publicClient.getTransactionCount({ address: requester })).toBe(nonce);
    expect(await a.token.read.allowance([requester, a.proofOfCompute.address])).toBe(0n);

    // proofEventsOf reads the proof contract's logs only: the same logs from another address are not its events.
    const receipt = await a.publicClient.getTransactionReceipt({ hash: c.hash });
    const poc = a.proofOfCompute.address;
    expect(proofEventsOf(receipt, poc).map((e) => e.eventName)).toEqual(["Challenged", "VerifiersDrawn"]);
    const elsewhere = receipt.logs.map((log) => ({ ...log, address: a.token.address }));
    expect(proofEventsOf({ logs: elsewhere }, poc)).toEqual([]);
  });
});
