// The verification protocol end to end (docs/verification.md): node agents on one Hardhat chain (1-second
// blocks) with the real torch CPU image, jobs submitted through the SDK, every re-run a real container.
// The verifiers exchange signed votes over gossip and settle in one transaction, on-chain when that fails:
//   - an always-audited job: the audit opens a dispute, three agents re-run it and agree: upheld, settled
//     by one resolveSigned transaction, each verifier withdrawing its fee; a fourth agent drawn as a spare
//     stands by and never re-runs it;
//   - a worker that tampers with its outputs: the audit catches it, its bond is slashed (signed votes);
//   - a requester's challenge of an honest result: upheld, the challenger's bond goes to the worker;
//   - a verifier that never reveals: the signed votes time out, the round goes on-chain, where the other
//     verifiers slash it, then resolve;
//   - a metric-mode job: the verifiers compare the spec's metric within its tolerance, upheld;
//   - no verifier answers in either round: after the dispute timeout an agent applies the no-quorum fallback.
// The proof contract draws from a SettableSeed (the VRF stand-in behind ISeedSource) whose seeds the test
// picks so each dispute draws the verifiers its scenario needs; the draw itself is the contract's. The
// misbehaving agents are started with startAgent's test-only `faults`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  challengeResult,
  getJobArtifacts,
  getJobRecord,
  type JobRecord,
  type JobSpecInput,
  JobState,
  jobManagerAbi,
  proofOfComputeAbi,
  submitTrainJob,
} from "@arthaain/sdk";
import {
  type Address,
  decodeFunctionData,
  getAddress,
  type Hash,
  type Hex,
  isAddressEqual,
  parseEventLogs,
  zeroAddress,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentNetwork, startAgentNetwork, trainSpec } from "../../../scripts/lib/agentNetwork.ts";
import { TOKEN } from "../../../scripts/lib/artha.ts";
import { parseAgentConfig } from "../config/agentConfig.ts";
import type { AgentFaults } from "./context.ts";
import { metricWord } from "./judgeMetric.ts";
import { type Agent, startAgent } from "./startAgent.ts";

let net: AgentNetwork;
let dir: string;
let seeder: ReturnType<NonNullable<AgentNetwork["seeds"]>["start"]> | undefined;
/** Agents 0-2 verify honestly, 3 is the honest worker (lowest bidder), 4 commits and never reveals. */
const agents: Agent[] = [];
/** Agent 5: the lowest bidder, and it tampers with its results; running only in its own scenario. */
let tamperer: Agent | undefined;
// Per CPU-hour: a 60-second job at 0.5, 0.4, 0.3, 0.2 and 0.6 tokens (the tamperer: 0.1). Every bid is far
// below the job's maxClaimPrice (maxPrice less the 10% verification budget).
const cpuHour = ["30", "24", "18", "12", "36", "6"];
const maxPrice = 100n * TOKEN;
/** The verifiers each job's first round must draw first (the seeder picks its seed accordingly). */
const drawFor = new Map<bigint, Address[]>();
/** Agents a job's first round must draw after those, as spares (none unless set). */
const sparesFor = new Map<bigint, Address[]>();
/** Jobs whose every round draws `drawFor`'s verifiers; other jobs' later rounds draw at random. */
const everyRound = new Set<bigint>();
/** The output root of the honest run of the test's job (the first scenario's): the torch runtime on CPU is
 * deterministic, so every honest run of the same spec and inputs gives it. */
let honestRun: Hex | undefined;

/** Agent i's API, registered on-chain: verifiers of metric-mode jobs fetch the worker's result.json there. */
const apiPort = (i: number) => 42180 + i;

const configOf = (i: number) =>
  parseAgentConfig(
    net.agentConfig(i, {
      api: { port: apiPort(i) },
      pricing: { strategy: "table", cpuHour: cpuHour[i]!, floor: "0.1", perGpuHour: {} },
      p2p: { bootstrap: [...agents, ...(tamperer ? [tamperer] : [])].flatMap((x) => x.multiaddrs()) },
    }),
    `agent ${i}`,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "artha-verify-"));
  net = await startAgentNetwork({
    dir,
    port: 8564, // its own: test files run in parallel
    // Fees exist (a 10% budget), audits only where a job asks, short dispute windows, and a challenge
    // window the requester's challenge fits in on a slow machine.
    params: {
      verificationBudgetBps: 1000,
      auditBps: 0,
      commitWindow: 20,
      revealWindow: 30,
      auditDelay: 3,
      challengeWindow: 15,
      // Past the end of a second round of a 30-second job (two rounds of 30 + 20 + 30 s), not of the first.
      disputeTimeout: 120,
    },
    settableSeed: true,
  });
  for (let i = 0; i < cpuHour.length; i++) {
    await net.a.registerNode(net.a.operators[i]!, {
      stake: 1_000n * TOKEN,
      apiUrl: `http://127.0.0.1:${apiPort(i)}`,
    });
  }
  // Bystanders: registered nodes that run no agent. A round's 2k = 6 places name distinct nodes, so with
  // only the six agents' nodes every draw would name them all; with twelve the seeder can leave agents out.
  const bystanders = net.a.operators.slice(cpuHour.length, 2 * cpuHour.length);
  for (const b of bystanders) await net.a.registerNode(b, { stake: 1_000n * TOKEN });
  seeder = net.seeds!.start(
    (jobId, round) => {
      const first = round === 1 || everyRound.has(jobId) ? drawFor.get(jobId) : undefined;
      return first && { first, spares: sparesFor.get(jobId) ?? [] };
    },
    { bystanders: bystanders.map((b) => b.account.address) },
  );
  const faults: (AgentFaults | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
    { skipReveal: true },
  ];
  for (let i = 0; i < faults.length; i++) {
    const f = faults[i];
    agents.push(
      await startAgent({ config: configOf(i), privateKey: net.operatorKey(i), ...(f ? { faults: f } : {}) }),
    );
  }
  await new Promise((r) => setTimeout(r, 3000)); // the gossip mesh forms
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([...agents, ...(tamperer ? [tamperer] : [])].map((x) => x.stop()));
  await seeder?.stop();
  if (seeder?.errors.length)
    console.warn(`seeder poll errors: ${seeder.errors.map((e) => e.message).join("; ")}`);
  await net?.stop();
  // ARTHA_KEEP_TEST_DIRS=1 keeps the chain and agent logs for a post-mortem.
  if (process.env.ARTHA_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  pollMs = 500,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const same = (x: string, y: string) => getAddress(x) === getAddress(y);
const sorted = (xs: readonly Address[]) =>
  [...xs].map((x) => getAddress(x)).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
const record = (jobId: bigint) =>
  getJobRecord(net.a.publicClient as never, { jobManager: net.a.jobManager.address, jobId });

/** Submits the test's train job from the requester (escrowing maxPrice) with `verification` as its policy. */
async function submit(o: { verification: number; maxRuntime?: number; spec?: JobSpecInput }) {
  const a = net.a;
  await a.mined(a.token.write.mint([a.requester.account.address, maxPrice]));
  const { jobId } = await submitTrainJob(a.sdkContext(a.requester), {
    spec: (o.spec ?? trainSpec) as JobSpecInput & { kind: "train" },
    modelId: BigInt(net.modelId),
    datasetId: BigInt(net.datasetId),
    imageDigest: `0x${net.images.torch.slice("sha256:".length)}` as Hex,
    maxPrice,
    bidWindow: 5,
    maxRuntime: o.maxRuntime ?? 60,
    requirements: { gpuCount: 0, minVramGb: 0 },
    verification: o.verification,
  });
  return jobId;
}

/** Waits until `jobId` reaches `state` (failing fast if it settles in the other final state). */
async function untilState(jobId: bigint, state: number, timeoutMs: number, pollMs = 500): Promise<JobRecord> {
  return until(
    `job ${jobId} in state ${state}`,
    async () => {
      const r = await record(jobId);
      if (r.state === state) return r;
      const final = [JobState.Finalized, JobState.Failed, JobState.Expired, JobState.Cancelled] as number[];
      if (final.includes(r.state) && final.includes(state)) {
        throw new Error(`job ${jobId} ended in state ${r.state}, not ${state}`);
      }
      return undefined;
    },
    timeoutMs,
    pollMs,
  );
}

/** The job's dispute story from the chain: ProofOfCompute's events and the job manager's verdict. */
async function disputeOf(jobId: bigint) {
  const a = net.a;
  const logs = await a.publicClient.getLogs({ address: a.proofOfCompute.address, fromBlock: 0n });
  const ofJob = <L extends { args: { jobId?: bigint } }>(xs: L[]) => xs.filter((l) => l.args.jobId === jobId);
  const p = <N extends string>(eventName: N) => ({ abi: proofOfComputeAbi, logs, eventName }) as const;
  const jmLogs = await a.publicClient.getLogs({ address: a.jobManager.address, fromBlock: 0n });
  const verdicts = parseEventLogs({ abi: jobManagerAbi, eventName: "JobVerified", logs: jmLogs });
  return {
    drawn: ofJob(parseEventLogs(p("VerifiersDrawn"))).map((l) => l.args),
    audits: ofJob(parseEventLogs(p("AuditDrawn"))).map((l) => l.args),
    challenges: ofJob(parseEventLogs(p("Challenged"))).map((l) => l.args),
    commits: ofJob(parseEventLogs(p("Committed"))).map((l) => l.args),
    reveals: ofJob(parseEventLogs(p("Revealed"))).map((l) => l.args),
    slashes: ofJob(parseEventLogs(p("VerifierSlashed"))),
    resolved: ofJob(parseEventLogs(p("DisputeResolved"))).map((l) => l.args),
    unresolved: ofJob(parseEventLogs(p("DisputeUnresolved"))),
    resolvedAt: ofJob(parseEventLogs(p("DisputeResolved"))).at(-1)?.blockNumber,
    resolvedIn: ofJob(parseEventLogs(p("DisputeResolved"))).at(-1)?.transactionHash,
    revealedIn: ofJob(parseEventLogs(p("Revealed"))).map((l) => l.transactionHash),
    openedAt: ofJob(parseEventLogs(p("VerifiersDrawn"))).at(0)?.blockNumber,
    verdict: verdicts.find((l) => l.args.jobId === jobId)?.args,
  };
}

/**
 * Asserts `jobId`'s dispute was settled by signed votes in one transaction: no on-chain commit, every vote
 * revealed by one resolveSigned sent by one of the voters, and no other transaction of the voters to the
 * proof contract while the dispute was open (a refused resolveSigned is never sent: its gas estimate fails).
 */
async function expectSignedSettlement(jobId: bigint, voters: readonly Agent[]) {
  const a = net.a;
  const d = await disputeOf(jobId);
  expect(d.commits).toEqual([]);
  expect(d.revealedIn.every((h) => h === d.resolvedIn)).toBe(true);
  const tx = await a.publicClient.getTransaction({ hash: d.resolvedIn! });
  expect(voters.some((x) => same(x.address, tx.from))).toBe(true);
  const call = decodeFunctionData({ abi: proofOfComputeAbi, data: tx.input });
  expect(call.functionName).toBe("resolveSigned");
  const votes = (call.args as unknown as [bigint, unknown, { index: bigint }[]])[2];
  expect(votes.map((x) => x.index)).toEqual([...votes.map((x) => x.index)].sort((x, y) => (x < y ? -1 : 1)));
  const sent: Hash[] = [];
  for (let n = d.openedAt!; n <= d.resolvedAt!; n++) {
    const block = await a.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const t of block.transactions) {
      const fromVoter = voters.some((x) => same(x.address, t.from));
      if (fromVoter && t.to && isAddressEqual(t.to, a.proofOfCompute.address)) sent.push(t.hash);
    }
  }
  expect(sent).toEqual([d.resolvedIn]);
  // Each voter sealed the k ballots it revealed on and ended with its own vote.
  for (const x of voters) {
    expect(sorted(x.store.verification(jobId)?.data.sealed ?? [])).toEqual(
      sorted(voters.map((v) => v.address)),
    );
  }
}

/**
 * What ProofOfCompute._payouts credits: each majority verifier in the verdict's order (signed votes: the
 * votes' order; on-chain: the resolver's, by address), then the worker or a challenger, then the requester.
 */
async function payouts(
  job: JobRecord,
  o: { upheld: boolean; majority: readonly Address[]; challenger?: Address },
) {
  const a = net.a;
  const k = BigInt(await a.proofOfCompute.read.verifiers());
  const n = BigInt(o.majority.length);
  const bond = await a.jobManager.read.bondOf([job.price]);
  let each = (await a.jobManager.read.verificationBudget([job.maxPrice])) / k;
  let rest = job.maxPrice;
  if (!o.upheld) {
    rest += bond;
    each += (bond * BigInt(await a.proofOfCompute.read.slashVerifiersBps())) / 10_000n / n;
  }
  rest -= each * n;
  const payees: Address[] = o.majority.map((x) => getAddress(x));
  const amounts: bigint[] = payees.map(() => each);
  if (o.upheld) {
    payees.push(getAddress(job.claimer));
    amounts.push(job.price);
    rest -= job.price;
  } else if (o.challenger) {
    const share = (bond * BigInt(await a.proofOfCompute.read.slashChallengerBps())) / 10_000n;
    payees.push(getAddress(o.challenger));
    amounts.push(share);
    rest -= share;
  }
  payees.push(getAddress(job.requester));
  amounts.push(rest);
  return { payees, amounts, each, bond };
}

const jmBalance = (x: Address) => net.a.jobManager.read.balanceOf([x]);
const tokenBalance = (x: Address) => net.a.token.read.balanceOf([x]);
/** Agent `x`'s verification rounds by outcome (its artha_node_verifications_total metric). */
const verifications = async (x: Agent) => {
  const { values } = await x.metrics.verifications.get();
  const of = (outcome: string) => values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  return { rerun: of("rerun"), spare_unneeded: of("spare_unneeded") };
};
/** What `x` holds: its tokens plus what the job manager holds for it (the same before and after a withdrawal). */
const held = async (x: Address) => (await tokenBalance(x)) + (await jmBalance(x));
const stakeOf = async (x: Address) => (await net.a.nodeRegistry.read.getNode([x])).stake;

describe("the verifier role", () => {
  it("an always-audited job: the audit opens, the other agents verify, it is upheld, worker and verifiers paid; a spare stands by", async () => {
    const worker = agents[3]!;
    const voters = agents.slice(0, 3);
    const spare = agents[4]!;
    const tokenBefore = await tokenBalance(worker.address);
    const votersBefore = await Promise.all(voters.map((x) => tokenBalance(x.address)));
    const spareBefore = await verifications(spare);
    const jobId = await submit({ verification: 101 }); // always audited
    drawFor.set(
      jobId,
      voters.map((x) => x.address),
    );
    sparesFor.set(jobId, [spare.address]); // drawn after the three: it waits for their votes

    // The winner runs it and submits; its settle stage then records the audit draw: the job is disputed.
    await untilState(jobId, JobState.Disputed, 150_000);
    const final = await untilState(jobId, JobState.Finalized, 300_000);
    expect(getAddress(final.claimer)).toBe(getAddress(worker.address));

    const d = await disputeOf(jobId);
    expect(d.audits).toMatchObject([{ audited: true }]);
    expect(sorted(d.reveals.map((r) => r.verifier))).toEqual(sorted(voters.map((x) => x.address)));
    for (const r of d.reveals) {
      expect(r.agrees).toBe(true); // the re-runs reproduce the worker's output root exactly
      expect(r.result).toBe(final.outputRoot);
    }
    expect(d.resolved).toMatchObject([{ upheld: true, challenger: zeroAddress, agree: 3, disagree: 0 }]);
    await expectSignedSettlement(jobId, voters);
    honestRun = final.outputRoot;

    // The verdict's payouts: each majority verifier its fee (budget / k), the worker its price, the
    // requester the rest.
    const expected = await payouts(final, { upheld: true, majority: d.reveals.map((r) => r.verifier) });
    expect(d.verdict).toMatchObject({ upheld: true, slashed: 0n });
    expect(d.verdict!.payees.map((x) => getAddress(x))).toEqual(expected.payees);
    expect(d.verdict!.amounts).toEqual(expected.amounts);
    expect(expected.each).toBe((maxPrice * 1000n) / 10_000n / 3n);

    // The worker withdraws its price; every agent that voted ends its verification.
    await until(
      "the worker to withdraw",
      () => worker.store.work(jobId)?.phase === "done" || undefined,
      60_000,
    );
    expect((await tokenBalance(worker.address)) - tokenBefore).toBe(final.price);
    await until(
      "the verifiers to end their part",
      () => voters.every((x) => x.store.verification(jobId)?.phase === "done") || undefined,
      30_000,
    );
    // Each verifier withdrew its fee before ending its part (settle.autoWithdraw).
    for (const [i, x] of voters.entries()) {
      expect(x.store.verification(jobId)?.data).toMatchObject({ result: final.outputRoot, agrees: true });
      expect(await jmBalance(x.address)).toBe(0n);
      expect((await tokenBalance(x.address)) - votersBefore[i]!).toBe(expected.each);
    }
    expect(worker.store.verification(jobId)?.phase).not.toBe("revealed"); // the worker never verifies
    // The spare saw the three ballots while standing by: it never re-ran the job.
    expect(await verifications(spare)).toEqual({
      rerun: spareBefore.rerun,
      spare_unneeded: spareBefore.spare_unneeded + 1,
    });
  }, 480_000);

  it("a worker that tampers with its outputs: the audit catches it, not upheld, its bond slashed to the verifiers and the requester", async () => {
    const a = net.a;
    const voters = agents.slice(0, 3);
    tamperer = await startAgent({
      config: configOf(5),
      privateKey: net.operatorKey(5),
      faults: { tamperResult: true },
    });
    await new Promise((r) => setTimeout(r, 3000)); // it joins the gossip mesh
    const t = tamperer;
    try {
      const requester = a.requester.account.address;
      const before = {
        stake: await stakeOf(t.address),
        requester: await jmBalance(requester),
        voters: await Promise.all(voters.map((x) => held(x.address))),
      };
      const jobId = await submit({ verification: 101 });
      drawFor.set(
        jobId,
        voters.map((x) => x.address),
      );

      await untilState(jobId, JobState.Disputed, 150_000);
      const final = await untilState(jobId, JobState.Failed, 300_000);
      expect(getAddress(final.claimer)).toBe(getAddress(t.address));

      // Every honest re-run gives the same root, which is not the one the tamperer submitted.
      const d = await disputeOf(jobId);
      expect(sorted(d.reveals.map((r) => r.verifier))).toEqual(sorted(voters.map((x) => x.address)));
      const honestRoot = d.reveals[0]!.result;
      for (const r of d.reveals) {
        expect(r.agrees).toBe(false);
        expect(r.result).toBe(honestRoot);
      }
      expect(honestRoot).not.toBe(final.outputRoot);
      if (honestRun) expect(honestRoot).toBe(honestRun); // what the honest worker submitted before
      expect(t.store.work(jobId)?.data.outputRoot).toBe(final.outputRoot);
      expect(d.resolved).toMatchObject([{ upheld: false, challenger: zeroAddress, agree: 0, disagree: 3 }]);
      await expectSignedSettlement(jobId, voters);

      // The bond (bondBps of the price) is slashed: slashVerifiersBps of it shared by the majority on top of
      // their fees, the rest and the whole escrow less the fees to the requester.
      const expected = await payouts(final, { upheld: false, majority: d.reveals.map((r) => r.verifier) });
      expect(expected.bond).toBe((final.price * 15_000n) / 10_000n);
      expect(d.verdict).toMatchObject({ upheld: false, slashed: expected.bond });
      expect(d.verdict!.payees.map((x) => getAddress(x))).toEqual(expected.payees);
      expect(d.verdict!.amounts).toEqual(expected.amounts);
      expect(expected.amounts.reduce((s, x) => s + x, 0n)).toBe(maxPrice + expected.bond);
      expect(await stakeOf(t.address)).toBe(before.stake - expected.bond);
      expect((await jmBalance(requester)) - before.requester).toBe(expected.amounts.at(-1));
      for (const [i, x] of voters.entries()) {
        expect((await held(x.address)) - before.voters[i]!).toBe(expected.each);
      }

      // The tamperer's own agent records the rejection; the verifiers end their part with the honest root.
      await until(
        "the tamperer to record the verdict",
        () => t.store.work(jobId)?.phase === "failed" || undefined,
        30_000,
      );
      expect(t.store.work(jobId)?.data.reason).toMatch(/rejected our result/);
      await until(
        "the verifiers to end their part",
        () => voters.every((x) => x.store.verification(jobId)?.phase === "done") || undefined,
        30_000,
      );
      for (const x of voters) {
        expect(x.store.verification(jobId)?.data).toMatchObject({ result: honestRoot, agrees: false });
      }
    } finally {
      // Offline from here on (still registered and active: the later scenarios' draws leave it out).
      await t.stop();
      tamperer = undefined;
    }
  }, 480_000);

  it("a requester's challenge of an honest result: upheld, the challenger's bond goes to the worker", async () => {
    const a = net.a;
    const worker = agents[3]!;
    const voters = agents.slice(0, 3);
    const requester = a.requester.account.address;
    const ctx = a.sdkContext(a.requester);
    const bond = await a.proofOfCompute.read.challengeBond();
    const workerTokens = await tokenBalance(worker.address);
    const jobId = await submit({ verification: 1 }); // never audited: only a challenge disputes it
    drawFor.set(
      jobId,
      voters.map((x) => x.address),
    );
    // The requester holds the bond before the result comes in; challengeResult approves it and challenges.
    await a.mined(a.token.write.mint([requester, bond]));
    const requesterTokens = await tokenBalance(requester);
    // The challenge must land within the challenge window (challengeWindow seconds after the result).
    const submitted = await untilState(jobId, JobState.ResultSubmitted, 150_000, 200);
    expect(getAddress(submitted.claimer)).toBe(getAddress(worker.address));
    const challenged = await challengeResult(ctx, { jobId });
    expect(challenged).toMatchObject({ challenger: getAddress(requester), bond });
    expect(await tokenBalance(requester)).toBe(requesterTokens - bond);
    expect(await a.token.read.balanceOf([a.proofOfCompute.address])).toBe(bond);

    const final = await untilState(jobId, JobState.Finalized, 300_000);
    const d = await disputeOf(jobId);
    expect(d.audits).toEqual([]);
    expect(d.challenges).toMatchObject([{ challenger: getAddress(requester), bond }]);
    expect(sorted(d.reveals.map((r) => r.verifier))).toEqual(sorted(voters.map((x) => x.address)));
    for (const r of d.reveals) expect(r).toMatchObject({ agrees: true, result: final.outputRoot });
    expect(d.resolved).toMatchObject([
      { upheld: true, challenger: getAddress(requester), agree: 3, disagree: 0 },
    ]);
    await expectSignedSettlement(jobId, voters);
    const expected = await payouts(final, { upheld: true, majority: d.reveals.map((r) => r.verifier) });
    expect(d.verdict).toMatchObject({ upheld: true, slashed: 0n });
    expect(d.verdict!.payees.map((x) => getAddress(x))).toEqual(expected.payees);
    expect(d.verdict!.amounts).toEqual(expected.amounts);

    // The challenger was wrong: its bond went to the worker, which also withdraws its price.
    expect(await a.token.read.balanceOf([a.proofOfCompute.address])).toBe(0n);
    expect(await tokenBalance(requester)).toBe(requesterTokens - bond);
    await until(
      "the worker to withdraw",
      () => worker.store.work(jobId)?.phase === "done" || undefined,
      60_000,
    );
    expect((await tokenBalance(worker.address)) - workerTokens).toBe(final.price + bond);
  }, 480_000);

  it("a verifier that never reveals: signed votes time out, the round goes on-chain, the voters slash it once the reveal phase is over, then resolve", async () => {
    const a = net.a;
    const worker = agents[3]!;
    const silent = agents[4]!;
    const voters = agents.slice(0, 2);
    const requester = a.requester.account.address;
    const penalty = await a.proofOfCompute.read.absentPenalty();
    const stakeBefore = await stakeOf(silent.address);
    // A shorter job keeps the wait for the reveal phase's end (opening + maxRuntime + commit + reveal) short.
    const jobId = await submit({ verification: 101, maxRuntime: 30 });
    const requesterTokens = await tokenBalance(requester);
    drawFor.set(
      jobId,
      [...voters, silent].map((x) => x.address),
    );

    await untilState(jobId, JobState.Disputed, 150_000);
    const final = await untilState(jobId, JobState.Finalized, 300_000);
    expect(getAddress(final.claimer)).toBe(getAddress(worker.address));
    // A voter ends its part only once the silent verifier is slashed: at the end of the reveal phase the
    // voters slash it and resolve, but any node may resolve then too, so the slash may come just after.
    await until(
      "the verifiers to end their part",
      () =>
        (voters.every((x) => x.store.verification(jobId)?.phase === "done") &&
          silent.store.verification(jobId)?.phase === "failed") ||
        undefined,
      60_000,
    );

    const d = await disputeOf(jobId);
    // Off-chain, the silent verifier shared its ballot and held its reveal back: two reveals of three, so
    // every verifier went on-chain when signed votes timed out.
    for (const x of [...voters, silent]) {
      expect(x.store.verification(jobId)?.data).toMatchObject({ onChain: true });
    }
    for (const x of voters) {
      expect(sorted(x.store.verification(jobId)?.data.sealed ?? [])).toEqual(
        sorted([...voters, silent].map((v) => v.address)),
      );
    }
    // Three committed, two revealed: a majority, held up until the reveal phase ended by the silent vote.
    expect(sorted(d.commits.map((c) => c.verifier))).toEqual(
      sorted([...voters, silent].map((x) => x.address)),
    );
    expect(sorted(d.reveals.map((r) => r.verifier))).toEqual(sorted(voters.map((x) => x.address)));
    for (const r of d.reveals) expect(r).toMatchObject({ agrees: true, result: final.outputRoot });
    expect(d.resolved).toMatchObject([{ upheld: true, agree: 2, disagree: 0 }]);
    const revealEnd = BigInt(d.drawn.at(-1)!.commitEnd) + BigInt(await a.proofOfCompute.read.revealWindow());
    const timeOf = async (blockNumber: bigint) => (await a.publicClient.getBlock({ blockNumber })).timestamp;
    expect(await timeOf(d.resolvedAt!)).toBeGreaterThanOrEqual(revealEnd);

    // Slashed once, by one of the voters' agents (not by this test): absentPenalty of its stake to the requester.
    expect(d.slashes).toHaveLength(1);
    expect(d.slashes[0]!.args).toMatchObject({ verifier: silent.address, amount: penalty });
    const slashTx = await a.publicClient.getTransaction({ hash: d.slashes[0]!.transactionHash });
    expect(voters.some((x) => same(x.address, slashTx.from))).toBe(true);
    expect(await timeOf(d.slashes[0]!.blockNumber)).toBeGreaterThanOrEqual(revealEnd);
    expect(await stakeOf(silent.address)).toBe(stakeBefore - penalty);
    expect(await tokenBalance(requester)).toBe(requesterTokens + penalty);
    const vote = await a.proofOfCompute.read.voteOf([jobId, silent.address]);
    expect(vote.status).toBe(4); // Slashed

    // Only the two voters are paid (a fee each); the silent place's fee goes back to the requester.
    const expected = await payouts(final, { upheld: true, majority: sorted(voters.map((x) => x.address)) });
    expect(d.verdict!.payees.map((x) => getAddress(x))).toEqual(expected.payees);
    expect(d.verdict!.amounts).toEqual(expected.amounts);

    expect(silent.store.verification(jobId)?.data.reason).toMatch(/reveal/);
    // Every agent's store follows the votes from the events (what the voters chose whom to slash by).
    const votes = sorted([...voters, silent].map((v) => v.address)).map((v) => ({
      jobId,
      verifier: v,
      round: 1,
      status: same(v, silent.address) ? "slashed" : "revealed",
    }));
    await until(
      "every store to see the slash",
      () => agents.every((x) => x.store.disputeVotes(jobId).some((v) => v.status === "slashed")) || undefined,
      30_000,
    );
    for (const x of agents) expect(x.store.disputeVotes(jobId)).toEqual(votes);
  }, 480_000);

  it("a metric-mode job: the verifiers compare the worker's trainLoss with their own within the spec's tolerance, upheld", async () => {
    const worker = agents[3]!;
    const voters = agents.slice(0, 3);
    const spec = {
      ...trainSpec,
      verification: { mode: "metric" as const, metric: "trainLoss", tolerance: 1e-6 },
    };
    const jobId = await submit({ verification: 101, spec: spec as JobSpecInput });
    drawFor.set(
      jobId,
      voters.map((x) => x.address),
    );
    await untilState(jobId, JobState.Disputed, 150_000);
    const final = await untilState(jobId, JobState.Finalized, 300_000);
    expect(getAddress(final.claimer)).toBe(getAddress(worker.address));
    expect(final.verification).toBe(0x80 | 101); // the SDK set metric mode from the spec

    // The worker's metric, from its verified outputs: every verifier's vote carries its own, the same.
    const { files } = await getJobArtifacts(net.a.sdkContext(net.a.requester), { jobId });
    const resultJson = files.find((f) => f.path === "result.json")!;
    const { trainLoss } = JSON.parse(new TextDecoder().decode(resultJson.bytes)).metrics as {
      trainLoss: number;
    };
    const d = await disputeOf(jobId);
    expect(sorted(d.reveals.map((r) => r.verifier))).toEqual(sorted(voters.map((x) => x.address)));
    for (const r of d.reveals) expect(r).toMatchObject({ agrees: true, result: metricWord(trainLoss) });
    expect(d.resolved).toMatchObject([{ upheld: true, challenger: zeroAddress, agree: 3, disagree: 0 }]);
    await expectSignedSettlement(jobId, voters);
    await until(
      "the verifiers to end their part",
      () => voters.every((x) => x.store.verification(jobId)?.phase === "done") || undefined,
      30_000,
    );
    for (const x of voters) {
      expect(x.store.verification(jobId)?.data).toMatchObject({
        agrees: true,
        result: metricWord(trainLoss),
        rerunRoot: final.outputRoot,
      });
    }
  }, 480_000);

  it("no verifier answers in either round: after the dispute timeout an agent applies the no-quorum fallback, the requester refunded, nobody slashed", async () => {
    const a = net.a;
    const worker = agents[3]!;
    // The tamperer's operator: still registered and active, its agent stopped, so it never answers.
    const offline = privateKeyToAccount(net.operatorKey(5)).address;
    const requester = a.requester.account.address;
    const before = { requester: await jmBalance(requester), worker: await stakeOf(worker.address) };
    const jobId = await submit({ verification: 101, maxRuntime: 30 });
    drawFor.set(jobId, [offline]);
    everyRound.add(jobId);

    await untilState(jobId, JobState.Disputed, 150_000);
    const final = await untilState(jobId, JobState.Failed, 420_000);
    expect(getAddress(final.claimer)).toBe(getAddress(worker.address));
    const d = await disputeOf(jobId);
    expect(d.drawn).toHaveLength(2); // the first round and its replacement, started by an agent
    expect(d.commits).toEqual([]);
    expect(d.resolved).toEqual([]);
    expect(d.slashes).toEqual([]);
    expect(d.unresolved).toHaveLength(1);
    const fallback = await a.publicClient.getTransaction({ hash: d.unresolved[0]!.transactionHash });
    expect(agents.some((x) => same(x.address, fallback.from))).toBe(true);
    const opened = await a.publicClient.getBlock({ blockNumber: d.openedAt! });
    const fellBackAt = await a.publicClient.getBlock({ blockNumber: d.unresolved[0]!.blockNumber });
    expect(fellBackAt.timestamp).toBeGreaterThanOrEqual(opened.timestamp + 120n);

    // The requester gets its whole escrow back; the worker's bond is released, nobody is paid or slashed.
    expect((await jmBalance(requester)) - before.requester).toBe(maxPrice);
    expect(await stakeOf(worker.address)).toBe(before.worker);
    expect(d.verdict).toBeUndefined();
  }, 600_000);
});
