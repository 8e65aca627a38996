// `npm run devnet`: a whole local ArthaAIN network on loopback, and one real job through its whole life.
// Starts a Hardhat node (1-second blocks) on 127.0.0.1:8545, deploys the contracts with Ignition (devnet
// parameters: ignition/parameters/devnet.json; deployments/31337.json), builds or finds the torch CPU
// image, registers a dataset and a base model, then sets up three operators exactly as an operator would:
// `artha-node init`, `artha-node register`, `artha-node start`. A requester submits a train job; the
// agents bid over gossip, the lowest claims, runs the container, submits the result, finalizes and
// withdraws. Prints each phase's time and each party's gas. Then keeps everything up until Ctrl-C (or
// exits with --exit; CI=true implies it). Logs: .artha/devnet/ (chain.log, agent-<i>.log).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { JobState } from "@arthaain/sdk";
import { formatUnits, type Hash } from "viem";
import { writeDeployment } from "./deploy.ts";
import { startAgentNetwork } from "./lib/agentNetwork.ts";
import { TOKEN } from "./lib/artha.ts";

const root = join(import.meta.dirname, "..");
const dir = join(root, ".artha/devnet");
const cli = join(root, "node-agent/src/cli/artha-node.ts");
const exitAfterJob = process.argv.includes("--exit") || process.env.CI === "true";
const log = (msg: string) => console.log(`[devnet] ${msg}`);
const fmt = (amount: bigint) => `${formatUnits(amount, 6)} aUSD`;
const OPERATORS = 3;
// Async, not execFileSync: a blocked event loop would miss the chain closing idle keep-alive sockets.
const run = promisify(execFile);

const children: ChildProcess[] = [];
let stopping = false;
let net: Awaited<ReturnType<typeof startAgentNetwork>> | undefined;
async function stop(code: number): Promise<never> {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)),
  );
  await net?.stop();
  process.exit(code);
}
process.on("SIGINT", () => {
  log("stopping");
  void stop(0);
});
process.on("SIGTERM", () => void stop(0));

async function main() {
  const t0 = Date.now();
  rmSync(dir, { recursive: true, force: true });
  try {
    net = await startAgentNetwork({ dir, port: 8545 });
  } catch (error) {
    console.error(`[devnet] ${(error as Error).message}`);
    process.exit(1);
  }
  const { a, chain } = net;
  chain.process.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[devnet] the Hardhat node exited (${signal ?? code}); see ${join(dir, "chain.log")}`);
      process.exit(1);
    }
  });
  writeDeployment(net.deployment);
  log(
    `chain up on ${chain.rpcUrl} (chain id 31337, 1-second blocks); contracts deployed (deployments/31337.json)`,
  );
  log(
    `torch image ${net.images.torch.slice(0, 19)}…; dataset ${net.datasetId} and model ${net.modelId} registered`,
  );

  // Three operators, set up with the operator CLI. Prices differ (cpuHour 30/24/18 for a 600 s job: 5, 4 and
  // 3 aUSD), so the auction has a clear winner.
  const cpuHour = ["30", "24", "18"];
  for (let i = 0; i < OPERATORS; i++) {
    const operator = a.operators[i]!;
    await a.mined(a.token.write.mint([operator.account.address, 1_000n * TOKEN]));
    const configFile = join(dir, `agent-${i}.json`);
    const env = {
      ...process.env,
      ARTHA_PRIVATE_KEY: net.operatorKey(i),
      ARTHA_KEYSTORE_PASSWORD: "devnet-password",
    };
    await run(
      process.execPath,
      [
        cli,
        "-c",
        configFile,
        "init",
        "--import-key",
        "--deployment",
        net.deploymentFile,
        "--rpc",
        chain.rpcUrl,
        "--data-dir",
        join(dir, `agent-${i}`),
        "--p2p-port",
        String(4101 + i),
        "--api-port",
        String(7101 + i),
      ],
      { env },
    );
    const config = {
      ...net.agentConfig(i),
      ...JSON.parse(readFileSync(configFile, "utf8")),
    };
    config.pricing = { strategy: "table", cpuHour: cpuHour[i], floor: "0.5", perGpuHour: {} };
    config.hardware = { cpuCores: 4, ramMb: 8192, gpus: [] };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    await run(process.execPath, [cli, "-c", configFile, "register", "--stake", String(500 + 250 * i)], {
      env,
    });
    const child = spawn(process.execPath, [cli, "-c", configFile, "start"], { env, stdio: "ignore" });
    child.on("exit", (code, signal) => {
      if (!stopping)
        console.error(`[devnet] agent ${i} exited (${signal ?? code}); see ${join(dir, `agent-${i}.log`)}`);
    });
    children.push(child);
  }
  for (let i = 0; i < OPERATORS; i++) {
    const url = `http://127.0.0.1:${7101 + i}/health`;
    for (
      let t = 0;
      !(await fetch(url).then(
        (r) => r.ok,
        () => false,
      ));
      t++
    ) {
      if (t > 120) {
        console.error(`[devnet] agent ${i} did not answer on ${url}; see ${join(dir, `agent-${i}.log`)}`);
        await stop(1);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  log(
    `${OPERATORS} operators registered and their agents running (artha-node start; APIs on 127.0.0.1:7101-7103)`,
  );
  await new Promise((r) => setTimeout(r, 3000)); // the gossip mesh forms from the multiaddrs registered on-chain

  const maxPrice = 100n * TOKEN;
  const tSubmit = Date.now();
  const { jobId, receipt } = await net.submitTrainJob({ maxPrice, bidWindow: 5 });
  log(
    `job ${jobId} submitted: train model ${net.modelId} on dataset ${net.datasetId}, ${fmt(maxPrice)} escrowed`,
  );

  // Follow the job as anyone can: its record changes, in chain time.
  const phase: Record<string, number> = {};
  let mark = tSubmit;
  const lap = (name: string) => {
    phase[name] = (Date.now() - mark) / 1000;
    mark = Date.now();
  };
  let last = -1;
  let claimEndAt = 0n;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const r = await a.record(jobId);
    const head = (await a.publicClient.getBlock()).timestamp;
    if (r.state !== last) {
      if (r.state === JobState.Claimed) log(`claimed by ${r.claimer} at ${fmt(r.price)}`);
      if (r.state === JobState.ResultSubmitted) {
        lap("run");
        log(`result submitted: output root ${r.outputRoot}; challenge window open`);
      }
      if (r.state === JobState.Finalized) {
        lap("finalize");
        break;
      }
      if (r.state !== JobState.Open && r.state !== JobState.Claimed && r.state !== JobState.ResultSubmitted) {
        console.error(`[devnet] job ${jobId} ended in state ${r.state}; see ${dir}/agent-*.log`);
        await stop(1);
      }
      last = r.state;
    }
    if (r.state === JobState.Claimed && claimEndAt === 0n) claimEndAt = await a.claimEnd(jobId);
    if (claimEndAt && !phase.auction && head >= claimEndAt) {
      lap("auction");
      log(`claim window closed: assigned to ${r.claimer}; its container runs the job`);
    }
    if (Date.now() > deadline) {
      console.error(`[devnet] job ${jobId} did not finish within 3 minutes; see ${dir}/agent-*.log`);
      await stop(1);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  const final = await a.record(jobId);
  const refund = await a.jobManager.read.balanceOf([a.requester.account.address]);
  log(
    `finalized: node ${final.claimer} paid ${fmt(final.price)}, requester refund ${fmt(refund)} to withdraw`,
  );

  // Gas by party, from the job's own transactions.
  const events = await a.jobManager.getEvents.JobClaimed({ jobId }, { fromBlock: 0n });
  const txs: Hash[] = [
    ...events.map((e) => e.transactionHash),
    ...(await a.jobManager.getEvents.ResultSubmitted({ jobId }, { fromBlock: 0n })).map(
      (e) => e.transactionHash,
    ),
    ...(await a.jobManager.getEvents.JobFinalized({ jobId }, { fromBlock: 0n })).map(
      (e) => e.transactionHash,
    ),
  ];
  let operatorGas = 0n;
  for (const hash of txs) operatorGas += (await a.publicClient.getTransactionReceipt({ hash })).gasUsed;
  const ok = final.state === JobState.Finalized && refund === maxPrice - final.price && events.length === 1;
  if (!ok) {
    console.error(
      `[devnet] job ${jobId} did not settle as expected (claims ${events.length}, refund ${refund})`,
    );
    await stop(1);
  }
  for (const [name, s] of Object.entries(phase)) console.log(`phase_${name}_s: ${s.toFixed(1)}`);
  console.log(`claims: ${events.length}`);
  console.log(`gas_requester: ${receipt.gasUsed}`);
  console.log(`gas_operators: ${operatorGas}`);
  console.log(`devnet_total_s: ${((Date.now() - t0) / 1000).toFixed(1)}`);

  if (exitAfterJob) {
    log("done (--exit): stopping the agents and the chain");
    await stop(0);
  }
  // Tokens for the requester to try `arthai` against this network (its first job spent what it had).
  await a.mined(a.token.write.mint([a.requester.account.address, 1_000n * TOKEN]));
  log(`network up: RPC ${chain.rpcUrl}, deployments/31337.json, logs in .artha/devnet/. Ctrl-C stops it.`);
  log(
    `try the requester CLI: export ARTHAI_DEPLOYMENT=deployments/31337.json ARTHAI_IMAGE=${net.images.torch}; ` +
      `npm run arthai -- job status ${jobId}. The requester ${a.requester.account.address} (Hardhat's dev ` +
      "account #1) holds 1000 aUSD: set its key in ARTHAI_PRIVATE_KEY to run `arthai train --model " +
      `${net.modelId} --data ${net.datasetId} --epochs 1 --budget 100 --wait\`.`,
  );
}

// Any failure stops what the devnet started, with the reason on one line.
main().catch(async (error: Error) => {
  console.error(`[devnet] failed: ${error.message.split("\n")[0]}`);
  await stop(1);
});
