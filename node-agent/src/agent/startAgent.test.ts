// Three node agents on one Hardhat chain (1-second blocks), talking over libp2p on loopback and running
// the real torch CPU image: the whole job path, and the ways it must not break.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getJobRecord, JobState, jobManagerAbi, maxClaimPrice, outputRootOfManifest } from "@arthaain/sdk";
import { type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentNetwork, startAgentNetwork, trainSpec } from "../../../scripts/lib/agentNetwork.ts";
import { sha, TOKEN } from "../../../scripts/lib/artha.ts";
import { parseAgentConfig } from "../config/agentConfig.ts";
import { type Agent, startAgent } from "./startAgent.ts";

let net: AgentNetwork;
let dir: string;
const agents: Agent[] = [];
// Operators 0..2 price a 600-second CPU job at 5, 4 and 3 tokens: operator 2 is the lowest bidder.
const cpuHour = ["30", "24", "18"];
// The production verification budget, 10%: a job is claimed at most at 90% of its maxPrice.
const BUDGET_BPS = 1_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "artha-agents-"));
  net = await startAgentNetwork({ dir, port: 8561, params: { verificationBudgetBps: BUDGET_BPS } });
  for (let i = 0; i < 3; i++) await net.a.registerNode(net.a.operators[i]!, { stake: 1_000n * TOKEN });
  for (let i = 0; i < 3; i++) {
    const bootstrap = agents.flatMap((x) => x.multiaddrs());
    const config = parseAgentConfig(
      net.agentConfig(i, {
        pricing: { strategy: "table", cpuHour: cpuHour[i]!, floor: "0.5", perGpuHour: {} },
        p2p: { bootstrap },
        hardware: { cpuCores: 8, ramMb: 16_384, gpus: [] },
        policy: { images: { allowAny: true }, fileRoots: [dir], maxConcurrentJobs: 8 },
      }),
      `agent ${i}`,
    );
    agents.push(await startAgent({ config, privateKey: net.operatorKey(i) }));
  }
});

afterAll(async () => {
  await Promise.allSettled(agents.map((x) => x.stop()));
  await net?.stop();
  // ARTHA_KEEP_TEST_DIRS=1 keeps the chain and agent logs for a post-mortem.
  if (process.env.ARTHA_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 90_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const record = (jobId: bigint) =>
  getJobRecord(net.a.publicClient as never, { jobManager: net.a.jobManager.address, jobId });
const finalized = (jobId: bigint) =>
  until(`job ${jobId} to be finalized`, async () => {
    const r = await record(jobId);
    return r.state === JobState.Finalized ? r : undefined;
  });
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function jobLogs(jobId: bigint) {
  const logs = await net.a.publicClient.getLogs({ address: net.a.jobManager.address, fromBlock: 0n });
  return parseEventLogs({ abi: jobManagerAbi, logs }).filter(
    (l) => "jobId" in l.args && (l.args as { jobId: bigint }).jobId === jobId,
  );
}

describe("node agents", () => {
  it("three agents, one train job: one claim, the lowest bidder runs it, the result is paid", async () => {
    const winner = net.a.operators[2]!.account.address;
    const tokenBefore = await net.a.token.read.balanceOf([winner]);
    const { jobId } = await net.submitTrainJob();
    const record = () =>
      getJobRecord(net.a.publicClient as never, { jobManager: net.a.jobManager.address, jobId });
    const final = await until("the job to be finalized", async () => {
      const r = await record();
      return r.state === JobState.Finalized ? r : undefined;
    });
    expect(final.claimer.toLowerCase()).toBe(winner.toLowerCase());
    expect(final.price).toBe(3n * TOKEN);

    const events = await jobLogs(jobId);
    expect(events.filter((e) => e.eventName === "JobClaimed")).toHaveLength(1);
    expect(agents.reduce((n, x) => n + x.sender.sentCount("claim"), 0)).toBe(1);

    // Every agent saw the three bids; the two others recorded the loss.
    await until(
      "the losers to record the loss",
      () => [0, 1].every((i) => agents[i]!.store.work(jobId)?.phase === "lost") || undefined,
    );
    // The winner withdraws its earnings: paid exactly the claimed price, the requester refunded the rest.
    await until("the winner to withdraw", () => agents[2]!.store.work(jobId)?.phase === "done" || undefined);
    expect((await net.a.token.read.balanceOf([winner])) - tokenBefore).toBe(3n * TOKEN);
    expect(await net.a.jobManager.read.balanceOf([net.a.requester.account.address])).toBe(97n * TOKEN);

    // The outputs the winner serves hash to the committed output root.
    const manifest = await (await fetch(`${agents[2]!.apiUrl}/jobs/${jobId}/outputs/`)).text();
    expect(outputRootOfManifest(manifest)).toBe(final.outputRoot);
    const log = readFileSync(join(dir, "agent-2/jobs", `${jobId}-0`, "job.log"), "utf8");
    expect(log).toMatch(/epoch/i);
  });

  it("an operator that ignores gossip and claims higher on-chain loses to the lowest bidder's claim", async () => {
    const rogue = net.a.operators[4]!;
    await net.a.registerNode(rogue, { stake: 1_000n * TOKEN });
    const { jobId } = await net.submitTrainJob();
    const bidEnd = BigInt((await record(jobId)).bidEnd);
    await until(
      "the bid window to close",
      async () => (await net.a.publicClient.getBlock()).timestamp >= bidEnd || undefined,
    );
    // The rogue claims at 90 the moment claims open, racing the agents: it either lands first and is
    // replaced, or finds the winner's lower claim there (ClaimNotLower). A record that changed under it
    // (StaleJobRecord) means an agent's claim landed between its read and its send: read again.
    let rogueOutcome = "";
    for (let i = 0; i < 6 && !rogueOutcome; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000)); // a pending claim is mined within a block
      rogueOutcome = await net.a.claim(rogue, jobId, 90n * TOKEN).then(
        // Estimated against the pending block, it may still revert when an agent's claim is mined first.
        (receipt) => (receipt.status === "success" ? "landed" : ""),
        (e: Error) =>
          /ClaimNotLower/.test(e.message) ? "refused" : /StaleJobRecord/.test(e.message) ? "" : e.message,
      );
    }
    expect(["landed", "refused"]).toContain(rogueOutcome);
    const final = await finalized(jobId);
    expect(same(final.claimer, net.a.operators[2]!.account.address)).toBe(true);
    expect(final.price).toBe(3n * TOKEN);
    const claims = (await jobLogs(jobId)).filter((e) => e.eventName === "JobClaimed");
    expect(claims.map((e) => (e.args as { node: string }).node.toLowerCase())).toEqual(
      rogueOutcome === "landed"
        ? [rogue.account.address.toLowerCase(), final.claimer.toLowerCase()]
        : [final.claimer.toLowerCase()],
    );
  });

  it("a job over its memory limit or past its deadline, or with bad inputs, fails cleanly; the agent goes on", async () => {
    const mr = await net.a.as(net.a.modelRegistry, net.a.requester);
    const iris = `file://${dir}/inputs/iris/`;
    await net.a.mined(mr.write.registerDataset([sha("not the iris files"), iris, 4_000n, "CC-BY-4.0", 0]));
    const tampered = await net.a.modelRegistry.read.datasetCount();
    await net.a.mined(
      mr.write.registerDataset([net.dataRoot, "http://127.0.0.1:9/iris/", 4_000n, "CC-BY-4.0", 0]),
    );
    const unreachable = await net.a.modelRegistry.read.datasetCount();

    const jobs = {
      oom: await net.submitTrainJob({ spec: { ...trainSpec, resources: { cpus: 1, memoryMb: 64 } } }),
      deadline: await net.submitTrainJob({
        maxRuntime: 15,
        spec: {
          ...trainSpec,
          seed: 8,
          hyperparameters: { ...trainSpec.hyperparameters, epochs: 100_000, checkpointEvery: 0 },
        },
      }),
      tampered: await net.submitTrainJob({ datasetId: tampered, spec: { ...trainSpec, seed: 9 } }),
      unreachable: await net.submitTrainJob({ datasetId: unreachable, spec: { ...trainSpec, seed: 10 } }),
      noImage: await net.submitTrainJob({ imageDigest: sha("an image nobody has") as Hex }),
    };
    const winner = agents[2]!;
    const outcome = (jobId: bigint) =>
      until(`job ${jobId} to end on the winner`, () => {
        const w = winner.store.work(jobId);
        return w && ["failed", "skipped"].includes(w.phase) ? w : undefined;
      });
    expect(await outcome(jobs.oom.jobId)).toMatchObject({
      phase: "failed",
      data: { reason: expect.stringMatching(/^run: out of memory/) },
    });
    expect(await outcome(jobs.deadline.jobId)).toMatchObject({
      phase: "failed",
      data: { reason: "run: killed at the job's deadline" },
    });
    expect((await outcome(jobs.tampered.jobId)).data.reason).toMatch(/^inputs: data: .*hash/i);
    expect((await outcome(jobs.unreachable.jobId)).data.reason).toMatch(/^inputs: data: .*127\.0\.0\.1:9/);
    // Nobody bids on an image no host holds (there is no registry to pull it from).
    for (const a of agents) {
      expect(a.store.work(jobs.noImage.jobId)).toMatchObject({
        phase: "skipped",
        data: { reason: expect.stringMatching(/image sha256:[0-9a-f]{64} is not present/) },
      });
    }
    const failures = await winner.metrics.registry.getSingleMetricAsString("artha_node_failures_total");
    expect(failures).toMatch(/stage="run"} 2/);
    expect(failures).toMatch(/stage="inputs"} 2/);

    // The same agent still serves the next job.
    const next = await net.submitTrainJob({ spec: { ...trainSpec, seed: 11 } });
    expect(same((await finalized(next.jobId)).claimer, winner.address)).toBe(true);
  });

  it("kill -9 of the winning agent after its claim, then a restart: the job completes and is paid once", async () => {
    const op = net.a.operators[3]!;
    await net.a.registerNode(op, { stake: 1_000n * TOKEN });
    const configFile = join(dir, "agent-3.json");
    writeFileSync(
      configFile,
      JSON.stringify(
        net.agentConfig(3, {
          pricing: { strategy: "table", cpuHour: "12", floor: "0.5", perGpuHour: {} }, // 2 tokens: the lowest
          p2p: { bootstrap: agents.flatMap((x) => x.multiaddrs()) },
          api: { port: 8571 },
        }),
      ),
    );
    const startChild = () =>
      spawn(
        process.execPath,
        [join(import.meta.dirname, "../cli/artha-node.ts"), "start", "-c", configFile],
        {
          env: { ...process.env, ARTHA_PRIVATE_KEY: net.operatorKey(3) },
          stdio: "ignore", // it logs to its log file
        },
      );
    const exited = (c: ChildProcess) => new Promise((r) => c.once("exit", r));
    let child = startChild();
    try {
      await until(
        "the child agent's API",
        async () => (await fetch("http://127.0.0.1:8571/health").catch(() => undefined))?.ok || undefined,
      );
      await new Promise((r) => setTimeout(r, 3000)); // joined the gossip mesh
      const before = await net.a.token.read.balanceOf([op.account.address]);
      const { jobId } = await net.submitTrainJob({ spec: { ...trainSpec, seed: 12 } });
      await until("the child agent's claim", async () => {
        const r = await record(jobId);
        return r.state === JobState.Claimed && same(r.claimer, op.account.address) ? r : undefined;
      });
      child.kill("SIGKILL");
      await exited(child);
      child = startChild();
      const final = await finalized(jobId);
      expect(same(final.claimer, op.account.address)).toBe(true);
      expect(final.price).toBe(2n * TOKEN);
      const events = await jobLogs(jobId);
      expect(events.filter((e) => e.eventName === "JobClaimed")).toHaveLength(1);
      expect(events.filter((e) => e.eventName === "ResultSubmitted")).toHaveLength(1);
      expect(events.filter((e) => e.eventName === "JobFinalized")).toHaveLength(1);
      await until(
        "the restarted agent to withdraw",
        async () =>
          (await net.a.token.read.balanceOf([op.account.address])) - before === 2n * TOKEN || undefined,
      );
    } finally {
      child.kill("SIGTERM");
      await exited(child);
    }
  });

  // The verification budget: the job manager refuses a claim above maxPrice less the budget (PriceAboveMax),
  // so the agents price against that cap and never bid above it.
  const skipped = (agent: Agent, jobId: bigint) =>
    until(`agent ${agent.address} to skip job ${jobId}`, () => {
      const w = agent.store.work(jobId);
      return w?.phase === "skipped" ? w : undefined;
    });

  it("a price between the claim cap and maxPrice is not bid; one under the cap is, and claims", async () => {
    // maxPrice 4.4 tokens, cap 3.96: operators 1 (4 tokens) and 0 (5) are above the cap, operator 2 (3) under.
    const maxPrice = 4_400_000n;
    const cap = maxClaimPrice(maxPrice, BUDGET_BPS);
    expect(cap).toBe(3_960_000n);
    const claimsBefore = agents.map((x) => x.sender.sentCount("claim"));
    const { jobId } = await net.submitTrainJob({ maxPrice, spec: { ...trainSpec, seed: 21 } });
    expect(await net.a.jobManager.read.maxClaimPrice([await record(jobId)])).toBe(cap);

    for (const i of [0, 1]) {
      expect((await skipped(agents[i]!, jobId)).data.reason).toMatch(
        new RegExp(`our price ${[5n, 4n][i]! * TOKEN} .* is above job ${jobId}'s claim cap ${cap}$`),
      );
    }
    const final = await finalized(jobId);
    expect(same(final.claimer, agents[2]!.address)).toBe(true);
    expect(final.price).toBe(3n * TOKEN);
    expect((await jobLogs(jobId)).filter((e) => e.eventName === "JobClaimed")).toHaveLength(1);
    // Only the winner ever sent a claim; the skipped agents sent nothing for this job.
    expect(agents.map((x, i) => x.sender.sentCount("claim") - claimsBefore[i]!)).toEqual([0, 0, 1]);
  });

  it("when every price is above the claim cap, even one within maxPrice, no agent bids or claims", async () => {
    // maxPrice 3.2 tokens, cap 2.88: operator 2's 3 tokens is within maxPrice but above the cap.
    const maxPrice = 3_200_000n;
    const cap = maxClaimPrice(maxPrice, BUDGET_BPS);
    const claimsBefore = agents.reduce((n, x) => n + x.sender.sentCount("claim"), 0);
    const { jobId } = await net.submitTrainJob({ maxPrice, spec: { ...trainSpec, seed: 22 } });
    expect((await skipped(agents[2]!, jobId)).data.reason).toMatch(
      new RegExp(`our price ${3n * TOKEN} .* is above job ${jobId}'s claim cap ${cap}$`),
    );
    for (const i of [0, 1]) expect((await skipped(agents[i]!, jobId)).data.reason).toMatch(/claim cap/);

    // Through the end of the claim window: no claim was sent (none could have landed: PriceAboveMax).
    const claimEnd = await net.a.claimEnd(jobId);
    await until(
      "the claim window to close",
      async () => (await net.a.publicClient.getBlock()).timestamp >= claimEnd || undefined,
    );
    expect(agents.reduce((n, x) => n + x.sender.sentCount("claim"), 0)).toBe(claimsBefore);
    expect((await jobLogs(jobId)).filter((e) => e.eventName === "JobClaimed")).toHaveLength(0);
    expect((await record(jobId)).state).toBe(JobState.Open);
  });
});
