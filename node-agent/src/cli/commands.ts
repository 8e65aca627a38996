// The commands behind artha-node. Each loads what it needs (config, key, chain) and prints a short human
// summary, or JSON with --json. Errors are one line, saying what to fix; exit code 1.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { jobManagerAbi, nodeRegistryAbi, parseJobSpec } from "@arthaain/sdk";
import {
  loadPrivateKey,
  outputRootOfDirectory,
  readDeploymentFile,
  writeKeystoreFile,
} from "@arthaain/sdk/node";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import Docker from "dockerode";
import { type Address, erc20Abi, formatUnits, type Hex, parseUnits } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startAgent } from "../agent/startAgent.ts";
import { connectChain } from "../chain/connectChain.ts";
import { createTxSender, type TxRequest } from "../chain/createTxSender.ts";
import { jobEnvironment, prepareOutputDir, runJobContainer } from "../cluster/index.ts";
import { type AgentConfig, loadAgentConfig, parseAgentConfig } from "../config/agentConfig.ts";
import { detectHardware, summarizeHardware } from "../hardware/index.ts";
import { createLog } from "../log.ts";
import { loadPeerKey } from "../market/index.ts";
import { openStore } from "../state/openStore.ts";

type Globals = { config: string; json?: boolean };
type Options = Record<string, string | boolean | undefined>;

export async function runCommand(name: string, globals: Globals, o: Options): Promise<void> {
  try {
    await commands[name]!(globals, o);
  } catch (error) {
    console.error(`artha-node ${name}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

const print = (g: Globals, human: string, data: unknown) =>
  console.log(g.json ? JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) : human);

async function operator(g: Globals) {
  const config = loadAgentConfig(g.config);
  const deployment = await readDeploymentFile(config.deployment);
  const privateKey = await loadPrivateKey({
    keystoreFile: config.keystore,
    password: process.env.ARTHA_KEYSTORE_PASSWORD,
    privateKey: process.env.ARTHA_PRIVATE_KEY,
  });
  const chain = await connectChain({ rpcUrl: config.rpcUrl, deployment, privateKey });
  const log = createLog({ level: process.env.ARTHA_NODE_LOG_LEVEL ?? "warn" });
  const sender = createTxSender({ publicClient: chain.publicClient, walletClient: chain.walletClient, log });
  const decimals = await chain.publicClient.readContract({
    address: deployment.contracts.token,
    abi: erc20Abi,
    functionName: "decimals",
  });
  /** Sends and insists on success: the CLI reports a refusal as the error it is. */
  const must = async (req: TxRequest) => {
    const outcome = await sender.send(req);
    if (outcome.status !== "mined") {
      throw new Error(
        `${req.label} ${outcome.status}: ${"reason" in outcome ? outcome.reason : outcome.hash}`,
      );
    }
    return outcome;
  };
  const approve = (spender: Address, amount: bigint) =>
    must({
      label: "approve",
      address: deployment.contracts.token,
      abi: erc20Abi,
      functionName: "approve",
      args: [spender, amount],
    });
  return {
    config,
    deployment,
    ...chain,
    must,
    approve,
    decimals,
    units: (a: string) => parseUnits(a, decimals),
  };
}

/** The addresses this node announces: its gossip listen addresses with its peer id, and its API URL. */
async function announced(config: AgentConfig) {
  const key = await loadPeerKey(join(config.dataDir, "p2p.key"));
  const peerId = peerIdFromPrivateKey(key).toString();
  const multiaddrs = config.p2p.listen.filter((a) => !a.endsWith("/tcp/0")).map((a) => `${a}/p2p/${peerId}`);
  const apiUrl = config.api.publicUrl ?? `http://${config.api.host}:${config.api.port}`;
  return { peerId, multiaddrs, apiUrl };
}

const commands: Record<string, (g: Globals, o: Options) => Promise<void>> = {
  async init(g, o) {
    const file = resolve(g.config);
    if (existsSync(file)) throw new Error(`${file} exists; move it away first (init never overwrites)`);
    const password = process.env.ARTHA_KEYSTORE_PASSWORD;
    if (!password) throw new Error("set ARTHA_KEYSTORE_PASSWORD: the keystore is encrypted with it");
    const key = o.importKey
      ? await loadPrivateKey({ privateKey: process.env.ARTHA_PRIVATE_KEY })
      : generatePrivateKey();
    const dataDir = resolve(o.dataDir as string);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const keystore = join(dataDir, "keystore.json");
    await writeKeystoreFile(keystore, key, password);
    const host = o.host as string;
    const config = {
      dataDir,
      rpcUrl: o.rpc,
      deployment: resolve(o.deployment as string),
      keystore,
      p2p: { listen: [`/ip4/${host}/tcp/${o.p2pPort}`] },
      api: { host, port: Number(o.apiPort) },
    };
    parseAgentConfig(config, file); // the schema is the reference: fail here, not at start, on a bad value
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { flag: "wx" });
    const address = privateKeyToAccount(key).address;
    print(g, `wrote ${file} and ${keystore}\noperator address: ${address}`, {
      config: file,
      keystore,
      address,
    });
  },

  async register(g, o) {
    const op = await operator(g);
    const hw = op.config.hardware ? summarizeHardware(op.config.hardware) : await detectHardware({});
    const { peerId, multiaddrs, apiUrl } = await announced(op.config);
    const stake = op.units(o.stake as string);
    await op.approve(op.deployment.contracts.nodeRegistry, stake);
    const reg = {
      capabilities: {
        gpuCount: hw.gpus.length,
        vramGbPerGpu: hw.vramGbPerGpu,
        cpuCores: Math.min(65535, hw.cpuCores),
        ramGb: Math.min(65535, Math.floor(hw.ramMb / 1024)),
        runtimeFlags: 1,
        gpuModel: hw.gpuModel,
      },
      peerId,
      multiaddrs,
      apiUrl,
    };
    await op.must({
      label: "register",
      address: op.deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "register",
      args: [reg, stake],
    });
    print(
      g,
      `registered ${op.account.address}: ${reg.capabilities.gpuCount} GPU(s) ${reg.capabilities.gpuModel}, ${reg.capabilities.cpuCores} cores, stake ${o.stake}\npeer ${peerId}`,
      { address: op.account.address, ...reg, stake },
    );
  },

  async start(g) {
    const config = loadAgentConfig(g.config);
    const agent = await startAgent({ config });
    const stop = async (signal: string) => {
      console.error(`artha-node: ${signal}, stopping`);
      await agent.stop();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    console.error(`artha-node: ${agent.address} running; API ${agent.apiUrl}; peer ${agent.peerId}`);
  },

  async status(g) {
    const op = await operator(g);
    const node = await op.publicClient.readContract({
      address: op.deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "getNode",
      args: [op.account.address],
    });
    const balance = await op.publicClient.readContract({
      address: op.deployment.contracts.jobManager,
      abi: jobManagerAbi,
      functionName: "balanceOf",
      args: [op.account.address],
    });
    const dbFile = join(op.config.dataDir, "agent.db");
    const work = existsSync(dbFile) ? openStore(dbFile).allWork() : [];
    const fmt = (v: bigint) => formatUnits(v, op.decimals);
    const lines = [
      `node ${op.account.address}: ${node.registered ? "registered" : "not registered"}`,
      `stake ${fmt(node.stake)} (locked ${fmt(node.locked)}, unbonding ${fmt(node.unbonding)}), certification level ${node.certLevel}`,
      `earnings to withdraw: ${fmt(balance)}`,
      ...work.map(
        (w) =>
          `job ${w.jobId}: ${w.phase}${w.data.reason ? ` (${w.data.reason})` : ""}${w.data.price ? ` at ${fmt(w.data.price)}` : ""}`,
      ),
    ];
    print(g, lines.join("\n"), { address: op.account.address, node, balance, jobs: work });
  },

  async stake(g, o) {
    const op = await operator(g);
    const amount = op.units(o.amount as string);
    await op.approve(op.deployment.contracts.nodeRegistry, amount);
    await op.must({
      label: "addStake",
      address: op.deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "addStake",
      args: [amount],
    });
    print(g, `staked ${o.amount} more`, { amount });
  },

  async unstake(g, o) {
    const op = await operator(g);
    const amount = op.units(o.amount as string);
    await op.must({
      label: "requestUnstake",
      address: op.deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "requestUnstake",
      args: [amount],
    });
    print(g, `unbonding ${o.amount}; withdraw it with \`artha-node withdraw --stake\` after the delay`, {
      amount,
    });
  },

  async withdraw(g, o) {
    const op = await operator(g);
    if (o.stake) {
      await op.must({
        label: "withdrawStake",
        address: op.deployment.contracts.nodeRegistry,
        abi: nodeRegistryAbi,
        functionName: "withdraw",
        args: [],
      });
      print(g, "unbonded stake withdrawn", { stake: true });
      return;
    }
    const to = (o.to as Address | undefined) ?? op.account.address;
    const balance = await op.publicClient.readContract({
      address: op.deployment.contracts.jobManager,
      abi: jobManagerAbi,
      functionName: "balanceOf",
      args: [op.account.address],
    });
    if (balance === 0n) return print(g, "nothing to withdraw", { amount: 0n });
    await op.must({
      label: "withdraw",
      address: op.deployment.contracts.jobManager,
      abi: jobManagerAbi,
      functionName: "withdraw",
      args: [to],
    });
    print(g, `withdrew ${formatUnits(balance, op.decimals)} to ${to}`, { amount: balance, to });
  },

  async run(g, o) {
    const specFile = resolve(o.spec as string);
    const spec = parseJobSpec(await readFile(specFile));
    const out = o.out ? resolve(o.out as string) : await mkdtemp(join(tmpdir(), "artha-run-"));
    await mkdir(out, { recursive: true });
    await prepareOutputDir(out);
    const docker = new Docker();
    const result = await runJobContainer(docker, {
      image: o.image as string,
      specFile,
      ...(o.model ? { modelDir: resolve(o.model as string) } : {}),
      ...(o.data ? { dataDir: resolve(o.data as string) } : {}),
      outputDir: out,
      env: jobEnvironment("0", spec),
      limits: {
        memoryBytes: spec.resources.memoryMb * 1024 ** 2,
        nanoCpus: Math.round(spec.resources.cpus * 1e9),
        pidsLimit: spec.resources.pids,
        shmBytes: spec.resources.shmMb * 1024 ** 2,
      },
      ...(spec.command ? { cmd: spec.command } : {}),
      deadlineMs: Date.now() + Number(o.timeout) * 1000,
      logFile: join(out, "..", `${out.split("/").at(-1)}.log`),
    });
    if (result.exitCode !== 0 || result.timedOut || result.oomKilled) {
      process.exitCode = 1;
      const why = result.timedOut
        ? "timed out"
        : result.oomKilled
          ? "out of memory"
          : `exit ${result.exitCode}`;
      print(g, `job failed (${why}): ${result.lastErrorLine}`, { ...result, ok: false });
      return;
    }
    const { root } = await outputRootOfDirectory(out);
    print(g, `ok in ${(result.startToExitMs / 1000).toFixed(1)} s\noutputs: ${out}\noutput root: ${root}`, {
      ok: true,
      outputDir: out,
      outputRoot: root as Hex,
      ms: result.startToExitMs,
    });
  },
};
