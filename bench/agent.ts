// Node agent figures (`npm run bench:agent`): agents on one Hardhat node with 1-second blocks, real gossip,
// real containers. First 3 agents, then 10, each run over the same small train jobs:
//   claim_latency_s   median chain time from JobSubmitted to the winning claim's block (target: the bid
//                     window plus two blocks)
//   claims_per_job    JobClaimed events per job (target 1.0: only the winner claims)
//   container_start_s median wall time from assignment to the container started, image present (target < 1)
// The 10-agent figures are the headline; the 3-agent ones are printed beside them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getJobRecord, JobState, jobManagerAbi } from "@arthaain/sdk";
import Docker from "dockerode";
import { parseEventLogs } from "viem";
import { type Agent, startAgent } from "../node-agent/src/agent/startAgent.ts";
import { parseAgentConfig } from "../node-agent/src/config/agentConfig.ts";
import { startAgentNetwork, trainSpec } from "../scripts/lib/agentNetwork.ts";
import { TOKEN } from "../scripts/lib/artha.ts";

const JOBS = 5;
const BID_WINDOW = 5;
const dir = mkdtempSync(join(tmpdir(), "artha-bench-agent-"));
const net = await startAgentNetwork({ dir, port: 8565 });
const agents: Agent[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`bench:agent: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function addAgents(count: number) {
  for (let i = agents.length; i < count; i++) {
    await net.a.registerNode(net.a.operators[i]!, { stake: 1_000n * TOKEN });
    const config = parseAgentConfig(
      net.agentConfig(i, {
        // Distinct prices (the lowest wins), capacity for every job at once.
        pricing: { strategy: "table", cpuHour: String(60 - 3 * i), floor: "0.5", perGpuHour: {} },
        p2p: { bootstrap: agents.slice(0, 3).flatMap((x) => x.multiaddrs()) },
        hardware: { cpuCores: 16, ramMb: 32_768, gpus: [] },
        policy: { images: { allowAny: true }, fileRoots: [dir], maxConcurrentJobs: 16 },
        log: { level: "warn", file: join(dir, `agent-${i}.log`) },
      }),
      `agent ${i}`,
    );
    agents.push(await startAgent({ config, privateKey: net.operatorKey(i) }));
  }
  await new Promise((r) => setTimeout(r, 3000)); // gossip mesh formed
}

async function round(seedBase: number) {
  const latencies: number[] = [];
  const starts: number[] = [];
  let claims = 0;
  const jobs: bigint[] = [];
  for (let j = 0; j < JOBS; j++) {
    const { jobId } = await net.submitTrainJob({
      bidWindow: BID_WINDOW,
      spec: { ...trainSpec, seed: seedBase + j },
    });
    jobs.push(jobId);
    await new Promise((r) => setTimeout(r, 2000));
  }
  const jm = net.a.jobManager.address;
  for (const jobId of jobs) {
    const winner = await until(`job ${jobId}'s container`, async () => {
      const w = agents.map((a) => ({ a, w: a.store.work(jobId) })).find((x) => x.w?.data.startedAtMs);
      return w;
    });
    starts.push((winner.w!.data.startedAtMs! - winner.w!.data.assignedAtMs!) / 1000);
    await until(`job ${jobId}'s result`, async () => {
      const r = await getJobRecord(net.a.publicClient as never, { jobManager: jm, jobId });
      return r.state >= JobState.ResultSubmitted ? r : undefined;
    });
    const logs = parseEventLogs({
      abi: jobManagerAbi,
      logs: await net.a.publicClient.getLogs({ address: jm, fromBlock: 0n }),
    }).filter((l) => "jobId" in l.args && (l.args as { jobId: bigint }).jobId === jobId);
    const submitted = logs.find((l) => l.eventName === "JobSubmitted")!;
    const claimed = logs.filter((l) => l.eventName === "JobClaimed");
    claims += claimed.length;
    const time = async (n: bigint) =>
      Number((await net.a.publicClient.getBlock({ blockNumber: n })).timestamp);
    latencies.push((await time(claimed.at(-1)!.blockNumber)) - (await time(submitted.blockNumber)));
  }
  return { latency: median(latencies), claimsPerJob: claims / JOBS, containerStart: median(starts) };
}

try {
  await addAgents(3);
  const three = await round(100);
  await addAgents(10);
  const ten = await round(200);
  console.log(`bid_window_s: ${BID_WINDOW}`);
  console.log(`claim_latency_s: ${ten.latency.toFixed(1)}`);
  console.log(`claim_latency_3_agents_s: ${three.latency.toFixed(1)}`);
  console.log(`claim_latency_target_s: ${BID_WINDOW + 2}`);
  console.log(`claims_per_job: ${ten.claimsPerJob.toFixed(2)}`);
  console.log(`claims_per_job_3_agents: ${three.claimsPerJob.toFixed(2)}`);
  console.log(`container_start_s: ${ten.containerStart.toFixed(2)}`);
  console.log(`container_start_3_agents_s: ${three.containerStart.toFixed(2)}`);
} finally {
  await Promise.allSettled(agents.map((a) => a.stop()));
  // Containers outlive agents by design; the bench's own go with it.
  const docker = new Docker();
  for (const c of await docker.listContainers({ all: true, filters: { label: ["org.arthaain.job"] } })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
}
