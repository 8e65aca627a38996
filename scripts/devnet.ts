// `npm run devnet`: a whole local ArthaAIN network on loopback, then the demo on it (scripts/demo.ts).
// Starts a Hardhat node (1-second blocks) on 127.0.0.1:8545, deploys the contracts with Ignition (devnet
// parameters: ignition/parameters/devnet.json; deployments/31337.json), builds or finds the torch CPU
// image, registers a dataset and a base model, starts the indexer (PGlite under .artha/devnet/) on
// 127.0.0.1:42069 and sets up four operators exactly as an operator would: `artha-node init`,
// `artha-node register`, `artha-node start`. Every part is health-checked, then the demo runs a train job,
// an infer job on its checkpoint and an audited job end to end and checks every step. The network then stays up until
// Ctrl-C or `npm run devnet -- down` (--exit, or CI=true, stops after the demo). Logs and state:
// .artha/devnet/ (chain.log, indexer.log, agent-<i>.log, devnet.json).
//
// `npm run devnet -- down` stops the running devnet: exactly the processes it recorded in devnet.json and
// the job containers of its agents, nothing else.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { privateKeyToAccount } from "viem/accounts";
import { runDemo } from "./demo.ts";
import { writeDeployment } from "./deploy.ts";
import { type AgentNetwork, devKey, startAgentNetwork } from "./lib/agentNetwork.ts";
import { TOKEN } from "./lib/artha.ts";
import {
  agentPorts,
  DEVNET_PORTS,
  type DevnetNetwork,
  type DevnetState,
  DEVNET_DIR as dir,
  isRunning,
  processRecord,
  readDevnetState,
  removeDevnetState,
  removeJobContainersUnder,
  runningDevnet,
  signalProcess,
  terminate,
  waitExited,
  writeDevnetState,
} from "./lib/devnetState.ts";
import { type Indexer, startIndexer } from "./lib/startIndexer.ts";

const root = join(import.meta.dirname, "..");
const cli = join(root, "node-agent/src/cli/artha-node.ts");
const exitAfterDemo = process.argv.includes("--exit") || process.env.CI === "true";
const t0 = Date.now();
/** A progress line with the time since the devnet started, so a slow step shows itself. */
const log = (msg: string) =>
  console.log(`[devnet ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
/** Four: a job's worker plus the k = 3 verifiers an audit draws from the other active nodes. */
const OPERATORS = 4;
/** Operators are numbered from 1, like their agents' files and ports (agent-1.log, 7101). */
const OPERATOR_IDS = Array.from({ length: OPERATORS }, (_, k) => k + 1);
// Async, not execFileSync: a blocked event loop would miss the chain closing idle keep-alive sockets.
const run = promisify(execFile);
const rel = (path: string) => relative(process.cwd(), path) || ".";

// What this run started, so that stopping it stops exactly that.
const agents: ChildProcess[] = [];
let stopping = false;
let starting: Promise<AgentNetwork> | undefined;
let net: AgentNetwork | undefined;
let indexerStarting: Promise<Indexer> | undefined;
let state: DevnetState | undefined;
/** Set once this run has checked that no other devnet runs: from then on .artha/devnet/ is its own. */
let owned = false;

/** Thrown by up() when a stop began while it was waiting: what it would start next would outlive the stop. */
class Stopping extends Error {
  override readonly name = "Stopping";
}

/**
 * Called right before each long-lived part starts. stop() stops the parts started before it began (waiting
 * for one still starting); this keeps up() from starting one after.
 */
function unlessStopping(): void {
  if (stopping) throw new Stopping("the devnet is stopping");
}

/** Stops what this run started (agents, indexer, chain, the agents' job containers), then exits. */
async function stop(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => {});
  stopping = true;
  if (!owned) process.exit(code);
  for (const c of agents) c.kill("SIGTERM");
  await Promise.all(agents.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
  // A part still starting is waited for, then stopped: nothing is left behind half-started.
  const indexer = await indexerStarting?.catch(() => undefined);
  await indexer?.stop();
  await (net ?? (await starting?.catch(() => undefined)))?.stop();
  const removed = await removeJobContainersUnder(dir).catch(() => 0);
  if (removed) log(`removed ${removed} job container(s) left by the agents`);
  removeDevnetState();
  process.exit(code);
}
process.on("SIGINT", () => {
  log("stopping");
  void stop(0);
});
process.on("SIGTERM", () => {
  log("stopping (SIGTERM)");
  void stop(0);
});

/** Records (or updates) the devnet's state for `npm run demo` and `down`. */
function record(update: Partial<DevnetState>) {
  state = { ...state!, ...update };
  writeDevnetState(state);
}

/** A part that exits on its own stops the whole devnet, naming its log. */
function watchExit(child: ChildProcess, what: string, logFile: string) {
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`[devnet] ${what} exited (${signal ?? code}); see ${rel(logFile)}`);
    void stop(1);
  });
}

async function up() {
  const running = runningDevnet();
  if (running) {
    throw new Error(
      `a devnet is already running (pid ${running.devnet.pid}, since ${running.startedAt}); stop it with \`npm run devnet -- down\``,
    );
  }
  await requireFreePorts();
  owned = true;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  state = {
    devnet: processRecord("devnet", process.pid),
    processes: [],
    startedAt: new Date().toISOString(),
  };
  writeDevnetState(state);
  // The contracts compiled: artifacts/ is not in git (a no-op of about 2 s when nothing changed).
  await run(join(root, "node_modules/.bin/hardhat"), ["build", "--no-tests", "--quiet"], { cwd: root });

  unlessStopping();
  starting = startAgentNetwork({ dir, port: DEVNET_PORTS.chain });
  net = await starting;
  unlessStopping();
  const { chain } = net;
  record({ processes: [processRecord("chain", chain.process.pid)] });
  watchExit(chain.process, "the Hardhat node", join(dir, "chain.log"));
  writeDeployment(net.deployment);
  log(
    `chain up on ${chain.rpcUrl} (chain id 31337, 1-second blocks); contracts deployed (deployments/31337.json)`,
  );
  log(
    `torch image ${net.images.torch.slice(0, 19)}…; dataset ${net.datasetId} and model ${net.modelId} registered`,
  );

  // The indexer starts (and backfills) while the operators set up.
  const indexerLog = join(dir, "indexer.log");
  indexerStarting = startIndexer({
    rpcUrl: chain.rpcUrl,
    deploymentFile: net.deploymentFile,
    port: DEVNET_PORTS.indexer,
    logFile: indexerLog,
    schema: "devnet",
    pgliteDir: join(dir, "indexer-db"),
  });
  indexerStarting.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const bootstrap = await startOperators(net);
  const indexer = await indexerStarting;
  record({ processes: [...state!.processes, processRecord("indexer", indexer.process.pid)] });
  watchExit(indexer.process, "the indexer", indexerLog);

  // Tokens for the requester: the demo's budgets, and arthai afterwards.
  const requesterKey = devKey(1);
  const requester = privateKeyToAccount(requesterKey).address;
  await net.a.mined(net.a.token.write.mint([requester, 1_000n * TOKEN]));
  // Health of the indexer: everything so far indexed (the operators' registrations included).
  await indexer.caughtUp(await net.a.publicClient.getBlockNumber({ cacheTime: 0 }));
  log(`indexer up on ${indexer.url} (PGlite in ${rel(join(dir, "indexer-db"))}), caught up with the chain`);

  const network: DevnetNetwork = {
    rpcUrl: chain.rpcUrl,
    indexerUrl: indexer.url,
    deploymentFile: net.deploymentFile,
    torchImage: net.images.torch,
    bootstrap,
    requester,
    requesterKey,
  };
  record({ network });
  writeArthaiConfig(network);
  console.log(`devnet_up_s: ${((Date.now() - t0) / 1000).toFixed(1)}`);

  const figures = await runDemo({
    rpcUrl: chain.rpcUrl,
    deploymentFile: net.deploymentFile,
    indexerUrl: indexer.url,
    requesterKey,
    image: net.images.torch,
    bootstrap,
    dir: join(dir, "demo"),
  });
  log(`demo passed in ${figures.demo_total_s} s`);

  if (exitAfterDemo) {
    log("done (--exit): stopping the agents, the indexer and the chain");
    await stop(0);
  }
  printUsage(network);
}

/** The ports the devnet listens on must be free: a clear refusal now rather than a failed part later. */
async function requireFreePorts() {
  const ports = [
    DEVNET_PORTS.chain,
    DEVNET_PORTS.indexer,
    ...OPERATOR_IDS.flatMap((i) => [agentPorts(i).api, agentPorts(i).p2p]),
  ];
  const inUse: number[] = [];
  for (const port of ports) if (await answers(port)) inUse.push(port);
  if (inUse.length > 0) {
    throw new Error(
      `port(s) ${inUse.join(", ")} on 127.0.0.1 are in use by another program; the devnet needs ${ports.join(", ")}`,
    );
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Sets up the four operators with the operator CLI and waits until each agent answers /health. They
 * register one after the other, so operator i (agent-i.log, API port 7100+i, gossip port 4100+i) is the
 * i-th registered node in every listing. Returns the agents' gossip addresses.
 */
async function startOperators(n: AgentNetwork): Promise<string[]> {
  const commands = await Promise.all(OPERATOR_IDS.map((i) => initOperator(n, i)));
  for (const [k, i] of OPERATOR_IDS.entries())
    await commands[k]!("register", "--stake", String(250 + 250 * i));
  unlessStopping();
  for (const i of OPERATOR_IDS) startAgent(n, i);
  const peers = await Promise.all(OPERATOR_IDS.map((i) => agentHealth(i)));
  log(
    `${OPERATORS} operators registered and their agents running (artha-node start; APIs on 127.0.0.1:${agentPorts(1).api}-${agentPorts(OPERATORS).api})`,
  );
  return peers.map((peerId, k) => `/ip4/127.0.0.1/tcp/${agentPorts(OPERATOR_IDS[k]!).p2p}/p2p/${peerId}`);
}

/** Each operator's price per CPU hour: for a 600 s job 5, 4, 3 and 2 aUSD, so every auction has a clear winner. */
const CPU_HOUR: Record<number, string> = { 1: "30", 2: "24", 3: "18", 4: "12" };

const agentConfigFile = (i: number) => join(dir, `agent-${i}.json`);
const agentEnv = (n: AgentNetwork, i: number) => ({
  ...process.env,
  ARTHA_PRIVATE_KEY: n.operatorKey(i - 1),
  ARTHA_KEYSTORE_PASSWORD: "devnet-password",
});

/**
 * Operator `i` as an operator sets up: tokens to stake, `artha-node init`, then its pricing and policy in
 * the config file. Returns a runner of its `artha-node` commands.
 */
async function initOperator(n: AgentNetwork, i: number) {
  await n.a.mined(n.a.token.write.mint([n.a.operators[i - 1]!.account.address, 1_500n * TOKEN]));
  const configFile = agentConfigFile(i);
  const artha = (...args: string[]) =>
    run(process.execPath, [cli, "-c", configFile, ...args], { env: agentEnv(n, i) });
  await artha(
    ...["init", "--import-key", "--deployment", n.deploymentFile, "--rpc", n.chain.rpcUrl],
    ...["--data-dir", join(dir, `agent-${i}`)],
    ...["--p2p-port", String(agentPorts(i).p2p), "--api-port", String(agentPorts(i).api)],
  );
  const config = { ...n.agentConfig(i), ...JSON.parse(readFileSync(configFile, "utf8")) };
  config.pricing = { strategy: "table", cpuHour: CPU_HOUR[i], floor: "0.5", perGpuHour: {} };
  config.hardware = { cpuCores: 4, ramMb: 8192, gpus: [] };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return artha;
}

/** `artha-node start` for operator `i`, recorded for `down`; its exit stops the devnet. */
function startAgent(n: AgentNetwork, i: number) {
  // The CLI's own lines (startup errors included) beside the agent's JSON log.
  const out = openSync(join(dir, `agent-${i}.cli.log`), "a");
  const child = spawn(process.execPath, [cli, "-c", agentConfigFile(i), "start"], {
    env: agentEnv(n, i),
    stdio: ["ignore", out, out],
  });
  agents.push(child);
  record({ processes: [...state!.processes, processRecord(`agent-${i}`, child.pid)] });
  watchExit(child, `agent ${i}`, join(dir, `agent-${i}.log`));
}

/** Waits (up to 30 s) for agent `i` to answer /health; returns its peer id. */
async function agentHealth(i: number): Promise<string> {
  const url = `http://127.0.0.1:${agentPorts(i).api}/health`;
  for (let t = 0; t < 120; t++) {
    const health = await fetch(url).then(
      (r) => (r.ok ? (r.json() as Promise<{ peerId: string }>) : undefined),
      () => undefined,
    );
    if (health) return health.peerId;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`agent ${i} did not answer on ${url}; see ${rel(join(dir, `agent-${i}.log`))}`);
}

/** An arthai config file for this network, so one export points the requester CLI at it. */
function writeArthaiConfig(s: DevnetNetwork) {
  const config = {
    rpcUrl: s.rpcUrl,
    deployment: "deployment.json",
    indexerUrl: s.indexerUrl,
    image: s.torchImage,
    bootstrap: s.bootstrap,
  };
  writeFileSync(join(dir, "arthai.json"), `${JSON.stringify(config, null, 2)}\n`);
}

function printUsage(s: DevnetNetwork) {
  log(`network up: RPC ${s.rpcUrl}, indexer ${s.indexerUrl}, deployments/31337.json, logs in ${rel(dir)}/`);
  log("run the demo again: npm run demo        stop everything: Ctrl-C or npm run devnet -- down");
  log(
    `the requester CLI, as Hardhat's dev account #1 (${s.requester}, funded with aUSD), against this network and its indexer:`,
  );
  console.log(`  export ARTHAI_CONFIG=${join(dir, "arthai.json")} ARTHAI_PRIVATE_KEY=${s.requesterKey}`);
  console.log(
    "  npm run arthai -- node list; npm run arthai -- model lineage 3; npm run arthai -- job status 1",
  );
}

/** `down`: stops the devnet recorded in devnet.json, then anything it recorded that outlived it. */
async function down() {
  const recorded = readDevnetState();
  if (!recorded) {
    log(`no devnet is running (no ${rel(join(dir, "devnet.json"))})`);
    return;
  }
  const alive = [recorded.devnet, ...recorded.processes].filter(isRunning);
  if (alive.length === 0) {
    log(`no devnet is running (the one recorded, pid ${recorded.devnet.pid}, has exited)`);
    removeDevnetState();
    return;
  }
  if (isRunning(recorded.devnet)) {
    log(`stopping the devnet (pid ${recorded.devnet.pid}): agents, indexer, chain`);
    signalProcess(recorded.devnet, "SIGTERM");
    // It stops its parts in order; a part still starting (the first image build) is finished first.
    const left = await waitExited([recorded.devnet], 600_000);
    if (left.length > 0)
      throw new Error(`the devnet (pid ${recorded.devnet.pid}) did not stop within 10 minutes`);
  }
  // Whatever outlived it (a devnet killed with SIGKILL leaves its parts running).
  const stopped = await terminate(recorded.processes);
  for (const p of stopped) log(`stopped ${p.name} (pid ${p.pid}), left running by the devnet`);
  const removed = await removeJobContainersUnder(dir);
  if (removed) log(`removed ${removed} job container(s) left by the agents`);
  removeDevnetState();
  log("stopped");
}

// Any failure stops what the devnet started, with the reason on one line (a failure caused by a stop
// under way is not one).
if (process.argv[2] === "down") {
  down().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`[devnet] down failed: ${error.message.split("\n")[0]}`);
      process.exit(1);
    },
  );
} else {
  up().catch(async (error: Error) => {
    if (!stopping) console.error(`[devnet] failed: ${error.message.split("\n")[0]}`);
    await stop(1);
  });
}
