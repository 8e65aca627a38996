// `npm run devnet`: a whole local ArthaAIN network on loopback, and one job through its whole life.
// Starts a Hardhat node (1-second blocks) on 127.0.0.1:8545, deploys the contracts with Ignition (devnet
// parameters: ignition/parameters/devnet.json), writes deployments/31337.json, funds a requester and three
// operators with the mock token, registers the operators, then runs a job in real time: submit with
// escrow -> reverse auction among the three -> result -> challenge window -> finalize -> withdraw.
// The node agents that bid over gossip and run containers arrive with the node-agent issue; here the three
// operators' on-chain steps are scripted. Then it keeps the chain up until Ctrl-C (or exits with --exit).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { formatUnits } from "viem";
import { writeDeployment } from "./deploy.ts";
import { deployArtha, devnetParams as params, sha, TOKEN } from "./lib/artha.ts";
import { type Chain, startChain } from "./lib/startChain.ts";

const root = join(import.meta.dirname, "..");
const rpcUrl = "http://127.0.0.1:8545";
const logDir = join(root, ".artha/devnet");
const exitAfterJob = process.argv.includes("--exit") || process.env.CI === "true";

const log = (msg: string) => console.log(`[devnet] ${msg}`);
const fmt = (amount: bigint) => `${formatUnits(amount, 6)} aUSD`;

let stopping = false;
let chain: Chain | undefined;
function stop(code: number): never {
  stopping = true;
  chain?.process.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => {
  log("stopping");
  stop(0);
});
process.on("SIGTERM", () => stop(0));

const t0 = Date.now();
try {
  chain = await startChain({ port: 8545, logFile: join(logDir, "chain.log") });
} catch (error) {
  console.error(`[devnet] ${(error as Error).message}`);
  process.exit(1);
}
chain.process.on("exit", (code, signal) => {
  if (!stopping) {
    console.error(`[devnet] the Hardhat node exited (${signal ?? code}); see ${join(logDir, "chain.log")}`);
    process.exit(1);
  }
});
log(`chain up on ${rpcUrl} (chain id 31337, 1-second blocks), log: .artha/devnet/chain.log`);

// A fresh chain each time: Ignition's journal of an earlier devnet would not match it.
rmSync(join(root, "ignition/deployments/chain-31337"), { recursive: true, force: true });
const a = await deployArtha(params, "localhost");
writeDeployment({
  chainId: 31337,
  startBlock: 0,
  contracts: {
    token: a.token.address,
    nodeRegistry: a.nodeRegistry.address,
    modelRegistry: a.modelRegistry.address,
    jobManager: a.jobManager.address,
    proofOfCompute: a.proofOfCompute.address,
  },
  params,
});
log(`contracts deployed (deployments/31337.json): jobManager ${a.jobManager.address}`);

const operators = a.operators.slice(0, 3);
for (const [i, op] of operators.entries()) {
  await a.registerNode(op, { stake: BigInt(500 + 250 * i) * TOKEN });
}
log(`3 operators registered: ${operators.map((o) => o.account.address.slice(0, 10)).join(", ")}`);

async function waitForChainTime(ts: bigint) {
  while (BigInt((await a.publicClient.getBlock()).timestamp) < ts)
    await new Promise((r) => setTimeout(r, 250));
}
const phase: Record<string, number> = {};
const gas = { requester: 0n, operators: 0n, anyone: 0n };
let mark = Date.now();
const lap = (name: string) => {
  phase[name] = (Date.now() - mark) / 1000;
  mark = Date.now();
};

const maxPrice = 100n * TOKEN;
const req = a.jobRequest({
  modelId: a.modelId,
  datasetId: a.datasetId,
  maxPrice,
  bidWindow: 3,
  maxRuntime: 600,
});
const { jobId, receipt } = await a.submitJob(req);
gas.requester += receipt.gasUsed;
const job = await a.record(jobId);
log(`job ${jobId} submitted: train model ${a.modelId} on dataset ${a.datasetId}, ${fmt(maxPrice)} escrowed`);
lap("submit");

await waitForChainTime(BigInt(job.bidEnd));
const prices = [80n, 65n, 50n].map((p) => p * TOKEN);
for (const [i, op] of operators.entries()) {
  gas.operators += (await a.claim(op, jobId, prices[i]!)).gasUsed;
  log(`operator ${i + 1} claims at ${fmt(prices[i]!)}`);
}
await waitForChainTime(await a.claimEnd(jobId));
const assigned = await a.record(jobId);
log(`claim window closed: assigned to ${assigned.claimer} at ${fmt(assigned.price)}`);
lap("auction");

const winner = operators.find((o) => o.account.address.toLowerCase() === assigned.claimer.toLowerCase())!;
gas.operators += (
  await a.submitResult(winner, jobId, sha(`devnet-output-${jobId}`), "file:///devnet/out")
).gasUsed;
log("result submitted; challenge window open");
lap("result");

await waitForChainTime(BigInt((await a.record(jobId)).resultAt) + BigInt(params.challengeWindow));
gas.anyone += (await a.finalize(jobId)).gasUsed;
const paid = await a.jobManager.read.balanceOf([assigned.claimer]);
const refund = await a.jobManager.read.balanceOf([a.requester.account.address]);
gas.operators += (
  await a.mined((await a.as(a.jobManager, winner)).write.withdraw([assigned.claimer]))
).gasUsed;
log(`finalized: node paid ${fmt(paid)}, requester refunded ${fmt(refund)}`);
lap("finalize");

const state = (await a.record(jobId)).state;
if (state !== 5 || paid !== assigned.price || refund !== maxPrice - assigned.price) {
  console.error(`[devnet] job ${jobId} did not settle as expected (state ${state})`);
  stop(1);
}
for (const [name, s] of Object.entries(phase)) console.log(`phase_${name}_s: ${s.toFixed(1)}`);
for (const [party, g] of Object.entries(gas)) console.log(`gas_${party}: ${g}`);
console.log(`devnet_total_s: ${((Date.now() - t0) / 1000).toFixed(1)}`);

if (exitAfterJob) {
  log("done (--exit): stopping the chain");
  stop(0);
}
log(`network up: RPC ${rpcUrl}, deployments/31337.json. Ctrl-C stops it.`);
