// The verifier role end to end: four node agents on one Hardhat chain (1-second blocks) with the real torch
// CPU image. A requester submits an always-audited train job through the SDK; the winner runs it, its
// settle stage draws the audit, the other agents re-run the job in the sandbox, commit, reveal, and resolve
// the dispute: the result is upheld, the worker paid, the majority's verifiers their fee.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  getJobRecord,
  type JobSpecInput,
  JobState,
  jobManagerAbi,
  proofOfComputeAbi,
  submitTrainJob,
} from "@arthaain/sdk";
import { getAddress, type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentNetwork, startAgentNetwork, trainSpec } from "../../../scripts/lib/agentNetwork.ts";
import { TOKEN } from "../../../scripts/lib/artha.ts";
import { parseAgentConfig } from "../config/agentConfig.ts";
import { type Agent, startAgent } from "./startAgent.ts";

let net: AgentNetwork;
let dir: string;
const agents: Agent[] = [];
// A 60-second CPU job at 0.5, 0.4, 0.3 and 0.2 tokens: operator 3 is the lowest bidder; every bid is far
// below the job's maxClaimPrice (maxPrice less the 10% verification budget).
const cpuHour = ["30", "24", "18", "12"];
const maxPrice = 100n * TOKEN;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "artha-verify-"));
  net = await startAgentNetwork({
    dir,
    port: 8564, // its own: test files run in parallel
    // Fees exist (a 10% budget), audits only where a job asks, and short dispute windows.
    params: { verificationBudgetBps: 1000, auditBps: 0, commitWindow: 20, revealWindow: 60, auditDelay: 2 },
  });
  for (let i = 0; i < 4; i++) await net.a.registerNode(net.a.operators[i]!, { stake: 1_000n * TOKEN });
  for (let i = 0; i < 4; i++) {
    const config = parseAgentConfig(
      net.agentConfig(i, {
        pricing: { strategy: "table", cpuHour: cpuHour[i]!, floor: "0.1", perGpuHour: {} },
        p2p: { bootstrap: agents.flatMap((x) => x.multiaddrs()) },
      }),
      `agent ${i}`,
    );
    agents.push(await startAgent({ config, privateKey: net.operatorKey(i) }));
  }
  await new Promise((r) => setTimeout(r, 3000)); // the gossip mesh forms
});

afterAll(async () => {
  await Promise.allSettled(agents.map((x) => x.stop()));
  await net?.stop();
  // ARTHA_KEEP_TEST_DIRS=1 keeps the chain and agent logs for a post-mortem.
  if (process.env.ARTHA_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("the verifier role", () => {
  it("an always-audited job: the audit opens, the other agents verify, it is upheld, worker and verifiers paid", async () => {
    const a = net.a;
    const worker = agents[3]!;
    const tokenBefore = await a.token.read.balanceOf([worker.address]);
    const ctx = a.sdkContext(a.requester);
    await a.mined(a.token.write.mint([a.requester.account.address, maxPrice]));
    const { jobId } = await submitTrainJob(ctx, {
      spec: trainSpec as JobSpecInput & { kind: "train" },
      modelId: BigInt(net.modelId),
      datasetId: BigInt(net.datasetId),
      imageDigest: `0x${net.images.torch.slice("sha256:".length)}` as Hex,
      maxPrice,
      bidWindow: 5,
      maxRuntime: 60,
      requirements: { gpuCount: 0, minVramGb: 0 },
      verification: 101, // always audited
    });
    const record = () => getJobRecord(a.publicClient as never, { jobManager: a.jobManager.address, jobId });

    // The winner runs it and submits; its settle stage then records the audit draw: the job is disputed.
    await until(
      "the audit to open a dispute",
      async () => ((await record()).state === JobState.Disputed ? true : undefined),
      150_000,
    );
    const final = await until(
      "the dispute to resolve",
      async () => {
        const r = await record();
        return r.state === JobState.Finalized || r.state === JobState.Failed ? r : undefined;
      },
      300_000,
    );
    expect(final.state).toBe(JobState.Finalized);
    expect(getAddress(final.claimer)).toBe(getAddress(worker.address));

    const proofLogs = parseEventLogs({
      abi: proofOfComputeAbi,
      logs: await a.publicClient.getLogs({ address: a.proofOfCompute.address, fromBlock: 0n }),
    }).filter((l) => "jobId" in l.args && l.args.jobId === jobId);
    const audit = proofLogs.find((l) => l.eventName === "AuditDrawn");
    expect(audit?.eventName === "AuditDrawn" && audit.args.audited).toBe(true);
    const reveals = proofLogs.flatMap((l) => (l.eventName === "Revealed" ? [l.args] : []));
    expect(reveals.length).toBeGreaterThanOrEqual(2); // a majority of k = 3
    for (const r of reveals) {
      expect(r.agrees).toBe(true); // the re-runs reproduce the worker's output root exactly
      expect(r.result).toBe(final.outputRoot);
      expect(getAddress(r.verifier)).not.toBe(getAddress(worker.address));
    }
    const resolved = proofLogs.find((l) => l.eventName === "DisputeResolved");
    expect(resolved?.eventName === "DisputeResolved" && resolved.args.upheld).toBe(true);

    // The verdict's payouts: each majority verifier its fee (budget / k), the worker its price.
    const verified = parseEventLogs({
      abi: jobManagerAbi,
      eventName: "JobVerified",
      logs: await a.publicClient.getLogs({ address: a.jobManager.address, fromBlock: 0n }),
    }).find((l) => l.args.jobId === jobId)!;
    const fee = (maxPrice * 1000n) / 10_000n / 3n;
    const paid = Object.fromEntries(
      verified.args.payees.map((p, i) => [getAddress(p), verified.args.amounts[i]!]),
    );
    expect(paid[getAddress(worker.address)]).toBe(final.price);
    for (const r of reveals) {
      expect(paid[getAddress(r.verifier)]).toBe(fee);
      expect(await a.jobManager.read.balanceOf([r.verifier])).toBeGreaterThanOrEqual(fee);
    }

    // The worker withdraws its price; every agent that voted ends its verification.
    await until(
      "the worker to withdraw",
      () => worker.store.work(jobId)?.phase === "done" || undefined,
      60_000,
    );
    expect((await a.token.read.balanceOf([worker.address])) - tokenBefore).toBe(final.price);
    const voters = agents.filter((x) =>
      reveals.some((r) => getAddress(r.verifier) === getAddress(x.address)),
    );
    expect(voters).toHaveLength(reveals.length);
    await until(
      "the verifiers to end their part",
      () => voters.every((x) => x.store.verification(jobId)?.phase === "done") || undefined,
      30_000,
    );
    for (const x of voters) {
      expect(x.store.verification(jobId)?.data).toMatchObject({ result: final.outputRoot, agrees: true });
    }
    expect(worker.store.verification(jobId)?.phase).not.toBe("revealed"); // the worker never verifies
  }, 480_000);
});
