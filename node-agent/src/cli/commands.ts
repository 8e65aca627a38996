// The commands behind artha-node. Each loads what it needs (config, key, chain) and prints a short human
// summary, or JSON with --json. Errors are one line on stderr, saying what to fix; exit code 1. Nothing
// here ever prints a private key or a password.
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import {
  jobManagerAbi,
  nodeRegistryAbi,
  parseJobSpec,
  parseTokenAmount,
  requestsNetwork,
  tokenAmountText,
} from "@arthaain/sdk";
import {
  loadPrivateKey,
  outputRootOfDirectory,
  readDeploymentFile,
  writeKeystoreFile,
} from "@arthaain/sdk/node";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import Docker from "dockerode";
import { type Address, erc20Abi, formatEther, formatUnits, type Hex, isAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startAgent } from "../agent/startAgent.ts";
import { connectChain } from "../chain/connectChain.ts";
import { createTxSender, type TxOutcome, type TxRequest } from "../chain/createTxSender.ts";
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

function portOption(what: string, value: unknown): number {
  const port = Number(value);
  if (!/^\d+$/.test(String(value)) || port < 1 || port > 65535) {
    throw new Error(`${what} ${JSON.stringify(value)}: expected a TCP port number from 1 to 65535`);
  }
  return port;
}

function loadConfig(g: Globals): AgentConfig {
  if (!existsSync(g.config)) {
    throw new Error(
      `config ${resolve(g.config)} not found: run \`artha-node init\` first, or name the file with -c or ARTHA_NODE_CONFIG`,
    );
  }
  return loadAgentConfig(g.config);
}

async function operator(g: Globals) {
  const config = loadConfig(g);
  const deployment = await readDeploymentFile(config.deployment);
  const privateKey = await loadPrivateKey({
    keystoreFile: config.keystore,
    password: process.env.ARTHA_KEYSTORE_PASSWORD,
    privateKey: process.env.ARTHA_PRIVATE_KEY,
  });
  const chain = await connectChain({ rpcUrl: config.rpcUrl, deployment, privateKey });
  const log = createLog({ level: process.env.ARTHA_NODE_LOG_LEVEL ?? "warn" });
  const sender = createTxSender({ publicClient: chain.publicClient, walletClient: chain.walletClient, log });
  const address = chain.account.address;
  const decimals = await chain.publicClient.readContract({
    address: deployment.contracts.token,
    abi: erc20Abi,
    functionName: "decimals",
  });
  const fmt = (v: bigint) => formatUnits(v, decimals);
  /**
   * Sends and insists on success: the CLI reports a refusal as the error it is, with the contract's custom
   * error name (and `explain`'s reading of it, when there is one).
   */
  const must = async (req: TxRequest, explain?: (refusal: { errorName: string }) => string | undefined) => {
    const outcome: TxOutcome = await sender.send(req);
    if (outcome.status === "mined") return outcome;
    if (outcome.status === "refused") {
      const why = explain?.(outcome);
      throw new Error(`${req.label} refused by the contract: ${outcome.reason}${why ? `; ${why}` : ""}`);
    }
    if (outcome.status === "reverted")
      throw new Error(`${req.label} reverted in transaction ${outcome.hash}`);
    throw new Error(`${req.label} failed: ${outcome.reason.split("\n")[0]}`);
  };
  /** Transactions cost gas: an operator without ETH learns it here, not from a node's "invalid parameters". */
  const needGas = async () => {
    const wei = await chain.publicClient.getBalance({ address });
    if (wei === 0n) {
      throw new Error(
        `operator ${address} has no ETH on chain ${deployment.chainId} to pay for gas; send it some first`,
      );
    }
  };
  /** The token balance must cover `amount`; then the spender's allowance is raised to it if lower. */
  const approveFor = async (what: string, spender: Address, amount: bigint) => {
    const balance = await chain.publicClient.readContract({
      address: deployment.contracts.token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [address],
    });
    if (balance < amount) {
      throw new Error(
        `${what} ${fmt(amount)} is more than the operator's token balance ${fmt(balance)} (${address})`,
      );
    }
    const allowance = await chain.publicClient.readContract({
      address: deployment.contracts.token,
      abi: erc20Abi,
      functionName: "allowance",
      args: [address, spender],
    });
    if (allowance >= amount) return;
    await must({
      label: "approve",
      address: deployment.contracts.token,
      abi: erc20Abi,
      functionName: "approve",
      args: [spender, amount],
    });
  };
  const getNode = () =>
    chain.publicClient.readContract({
      address: deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "getNode",
      args: [address],
    });
  return {
    config,
    deployment,
    ...chain,
    address,
    must,
    needGas,
    approveFor,
    getNode,
    decimals,
    fmt,
    units: (what: string, text: string) => parseTokenAmount(what, text, decimals),
  };
}

/** The addresses this node announces: its gossip listen addresses with its peer id, and its API URL. */
async function announced(config: AgentConfig) {
  const key = await loadPeerKey(join(config.dataDir, "p2p.key"));
  const peerId = peerIdFromPrivateKey(key).toString();
  const multiaddrs = config.p2p.listen.filter((a) => !a.endsWith("/tcp/0")).map((a) => `${a}/p2p/${peerId}`);
  const host = isIP(config.api.host) === 6 ? `[${config.api.host}]` : config.api.host;
  const apiUrl = config.api.publicUrl ?? `http://${host}:${config.api.port}`;
  return { peerId, multiaddrs, apiUrl };
}

/** An image id as the sandbox wants it (`sha256:<64 hex>`): ids pass, names and short ids are looked up. */
async function imageId(docker: Docker, ref: string): Promise<string> {
  if (/^sha256:[0-9a-f]{64}$/.test(ref)) return ref;
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) {
      throw new Error(`--image ${ref}: no such image on this Docker engine; build or pull it first`);
    }
    throw new Error(`--image ${ref}: cannot inspect it (${(error as Error).message.split("\n")[0]})`);
  }
}

function inputDir(option: string, dir: string): string {
  const path = resolve(dir);
  if (!existsSync(path)) throw new Error(`${option} ${path}: no such directory`);
  if (!statSync(path).isDirectory()) throw new Error(`${option} ${path}: not a directory`);
  return path;
}

const commands: Record<string, (g: Globals, o: Options) => Promise<void>> = {
  async init(g, o) {
    const file = resolve(g.config);
    if (existsSync(file)) throw new Error(`${file} exists; move it away first (init never overwrites)`);
    const password = process.env.ARTHA_KEYSTORE_PASSWORD;
    if (!password) throw new Error("set ARTHA_KEYSTORE_PASSWORD: the keystore is encrypted with it");
    if (password.length < 8) throw new Error("ARTHA_KEYSTORE_PASSWORD must be at least 8 characters");
    if (o.importKey && !process.env.ARTHA_PRIVATE_KEY) {
      throw new Error("--import-key encrypts the key in ARTHA_PRIVATE_KEY, which is not set");
    }
    const key = o.importKey
      ? await loadPrivateKey({ privateKey: process.env.ARTHA_PRIVATE_KEY })
      : generatePrivateKey();
    // Every option is checked before anything is written, so a typo leaves nothing behind to clean up.
    const host = o.host as string;
    const ip = isIP(host);
    if (!ip)
      throw new Error(`--host ${JSON.stringify(host)}: expected an IP address, like 127.0.0.1 or 0.0.0.0`);
    const p2pPort = portOption("--p2p-port", o.p2pPort);
    const apiPort = portOption("--api-port", o.apiPort);
    const deployment = resolve(o.deployment as string);
    await readDeploymentFile(deployment);
    const dataDir = resolve(o.dataDir as string);
    const keystore = join(dataDir, "keystore.json");
    if (existsSync(keystore)) {
      throw new Error(
        `${keystore} exists; init never overwrites a key: move it away, or use another --data-dir`,
      );
    }
    const config = {
      dataDir,
      rpcUrl: o.rpc,
      deployment,
      keystore,
      p2p: { listen: [`/ip${ip}/${host}/tcp/${p2pPort}`] },
      api: { host, port: apiPort },
    };
    parseAgentConfig(config, file); // the schema is the reference: fail here, not at start, on a bad value
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeKeystoreFile(keystore, key, password);
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { flag: "wx" });
    const address = privateKeyToAccount(key).address;
    print(g, `wrote ${file} and ${keystore}\noperator address: ${address}`, {
      config: file,
      keystore,
      address,
    });
  },

  async register(g, o) {
    const stakeText = tokenAmountText("--stake", o.stake);
    const op = await operator(g);
    const stake = op.units("--stake", stakeText);
    const node = await op.getNode();
    if (node.registered) {
      throw new Error(
        `${op.address} is already registered (stake ${op.fmt(node.stake)}); add stake with \`artha-node stake <amount>\``,
      );
    }
    const minStake = await op.publicClient.readContract({
      address: op.deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "minStake",
    });
    if (stake < minStake)
      throw new Error(`--stake ${stakeText} is below the minimum stake ${op.fmt(minStake)}`);
    const hw = op.config.hardware ? summarizeHardware(op.config.hardware) : await detectHardware({});
    const { peerId, multiaddrs, apiUrl } = await announced(op.config);
    await op.needGas();
    await op.approveFor("--stake", op.deployment.contracts.nodeRegistry, stake);
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
    const c = reg.capabilities;
    const gpus = c.gpuCount ? `${c.gpuCount} × ${c.gpuModel} (${c.vramGbPerGpu} GB)` : "no GPU";
    print(
      g,
      `registered ${op.address}: ${gpus}, ${c.cpuCores} cores, ${c.ramGb} GB RAM, stake ${op.fmt(stake)}\npeer ${peerId}`,
      { address: op.address, ...reg, stake },
    );
  },

  async start(g) {
    const config = loadConfig(g);
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
    const node = await op.getNode();
    const balance = await op.publicClient.readContract({
      address: op.deployment.contracts.jobManager,
      abi: jobManagerAbi,
      functionName: "balanceOf",
      args: [op.address],
    });
    const dbFile = join(op.config.dataDir, "agent.db");
    const work = existsSync(dbFile) ? openStore(dbFile).allWork() : [];
    const fmt = op.fmt;
    const unbondingEnds = node.unbonding > 0n ? new Date(node.unbondingEnds * 1000).toISOString() : undefined;
    const lines = [
      `node ${op.address}: ${node.registered ? "registered" : "not registered"}`,
      `stake ${fmt(node.stake)} (locked ${fmt(node.locked)}, unbonding ${fmt(node.unbonding)}${unbondingEnds ? ` until ${unbondingEnds}` : ""}), certification level ${node.certLevel}`,
      `earnings to withdraw: ${fmt(balance)}`,
      ...work.map(
        (w) =>
          `job ${w.jobId}: ${w.phase}${w.data.reason ? ` (${w.data.reason})` : ""}${w.data.price ? ` at ${fmt(w.data.price)}` : ""}`,
      ),
    ];
    print(g, lines.join("\n"), {
      address: op.address,
      decimals: op.decimals,
      node,
      balance,
      eth: formatEther(await op.publicClient.getBalance({ address: op.address })),
      jobs: work,
    });
  },

  async stake(g, o) {
    const text = tokenAmountText("amount", o.amount);
    const op = await operator(g);
    const amount = op.units("amount", text);
    const node = await op.getNode();
    if (!node.registered) {
      throw new Error(
        `${op.address} is not registered; register first with \`artha-node register --stake <amount>\``,
      );
    }
    await op.needGas();
    await op.approveFor("amount", op.deployment.contracts.nodeRegistry, amount);
    await op.must({
      label: "addStake",
      address: op.deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "addStake",
      args: [amount],
    });
    print(g, `staked ${op.fmt(amount)} more: stake ${op.fmt(node.stake + amount)}`, {
      amount,
      stake: node.stake + amount,
    });
  },

  async unstake(g, o) {
    const text = tokenAmountText("amount", o.amount);
    const op = await operator(g);
    const amount = op.units("amount", text);
    await op.needGas();
    await op.must({
      label: "requestUnstake",
      address: op.deployment.contracts.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "requestUnstake",
      args: [amount],
    });
    const node = await op.getNode();
    const ends = new Date(node.unbondingEnds * 1000).toISOString();
    print(
      g,
      `unbonding ${op.fmt(node.unbonding)} until ${ends}; then withdraw it with \`artha-node withdraw --stake\``,
      { amount, unbonding: node.unbonding, unbondingEnds: node.unbondingEnds },
    );
  },

  async withdraw(g, o) {
    const to = o.to as string | undefined;
    if (to !== undefined && !isAddress(to)) {
      throw new Error(`--to ${JSON.stringify(to)}: expected an address, 0x and 40 hex digits`);
    }
    const op = await operator(g);
    if (o.stake) {
      if (to !== undefined)
        throw new Error("--to applies to earnings; unbonded stake goes back to the operator");
      const node = await op.getNode();
      if (node.registered && node.unbonding === 0n) {
        print(g, "nothing to withdraw: no stake is unbonding (start with `artha-node unstake <amount>`)", {
          amount: 0n,
        });
        return;
      }
      await op.needGas();
      await op.must(
        {
          label: "withdrawStake",
          address: op.deployment.contracts.nodeRegistry,
          abi: nodeRegistryAbi,
          functionName: "withdraw",
          args: [],
        },
        ({ errorName }) => {
          if (errorName !== "UnbondingNotOver") return undefined;
          const left = node.unbondingEnds - Math.floor(Date.now() / 1000);
          const at = new Date(node.unbondingEnds * 1000).toISOString();
          return `the unbonding of ${op.fmt(node.unbonding)} ends at ${at}${left > 0 ? ` (in about ${left} s)` : ""}`;
        },
      );
      print(g, `withdrew ${op.fmt(node.unbonding)} unbonded stake to ${op.address}`, {
        amount: node.unbonding,
        to: op.address,
      });
      return;
    }
    const payout = (to as Address | undefined) ?? op.address;
    const balance = await op.publicClient.readContract({
      address: op.deployment.contracts.jobManager,
      abi: jobManagerAbi,
      functionName: "balanceOf",
      args: [op.address],
    });
    if (balance === 0n) return print(g, "nothing to withdraw", { amount: 0n });
    await op.needGas();
    await op.must({
      label: "withdraw",
      address: op.deployment.contracts.jobManager,
      abi: jobManagerAbi,
      functionName: "withdraw",
      args: [payout],
    });
    print(g, `withdrew ${op.fmt(balance)} to ${payout}`, { amount: balance, to: payout });
  },

  async run(g, o) {
    const specFile = resolve(o.spec as string);
    const bytes = await readFile(specFile).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`spec ${specFile}: cannot read (${error.code ?? error.message})`);
    });
    let spec: ReturnType<typeof parseJobSpec>;
    try {
      spec = parseJobSpec(bytes);
    } catch (error) {
      throw new Error(`${specFile}: ${(error as Error).message}`);
    }
    const timeoutS = Number(o.timeout);
    if (!/^\d+$/.test(String(o.timeout)) || timeoutS < 1) {
      throw new Error(
        `--timeout ${JSON.stringify(o.timeout)}: expected a whole number of seconds, at least 1`,
      );
    }
    const modelDir = o.model ? inputDir("--model", o.model as string) : undefined;
    const dataDir = o.data ? inputDir("--data", o.data as string) : undefined;
    const docker = new Docker();
    const image = await imageId(docker, o.image as string);

    let out: string;
    if (o.out) {
      out = resolve(o.out as string);
      if (existsSync(out)) {
        if (!statSync(out).isDirectory()) throw new Error(`--out ${out}: not a directory`);
        // Files left there would be hashed into the output root with the job's own.
        if ((await readdir(out)).length > 0) {
          throw new Error(`--out ${out} is not empty; name a new or empty directory`);
        }
      }
      await mkdir(out, { recursive: true });
    } else {
      out = await mkdtemp(join(tmpdir(), "artha-run-"));
    }
    await prepareOutputDir(out);
    // Beside the output directory, never in it: the log is not an output and must not change the root.
    const logFile = join(dirname(out), `${basename(out)}.log`);

    // Ctrl-C stops the wait; runJobContainer then removes the container instead of leaving it running.
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let result: Awaited<ReturnType<typeof runJobContainer>>;
    try {
      result = await runJobContainer(docker, {
        image,
        specFile,
        ...(modelDir ? { modelDir } : {}),
        ...(dataDir ? { dataDir } : {}),
        outputDir: out,
        env: jobEnvironment("0", spec),
        // The sandbox the agent would give this spec: its network and resources, its GPUs.
        network: requestsNetwork(spec) ? "bridge" : "none",
        limits: {
          memoryBytes: spec.resources.memoryMb * 1024 ** 2,
          nanoCpus: Math.round(spec.resources.cpus * 1e9),
          pidsLimit: spec.resources.pids,
          shmBytes: spec.resources.shmMb * 1024 ** 2,
        },
        ...(spec.resources.gpus > 0 ? { gpus: { count: spec.resources.gpus } } : {}),
        ...(spec.command ? { cmd: spec.command } : {}),
        deadlineMs: Date.now() + timeoutS * 1000,
        logFile,
        signal: abort.signal,
      });
    } catch (error) {
      // Nothing worth keeping came out: a temporary directory of ours goes, one the user named stays.
      if (!o.out) await rm(out, { recursive: true, force: true }).catch(() => undefined);
      if (abort.signal.aborted) throw new Error("stopped; the job's container was removed");
      throw error;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    const { stdout: _stdout, stderr: _stderr, ...run } = result;
    const ms = Math.round(run.startToExitMs);
    if (run.exitCode !== 0 || run.timedOut || run.oomKilled) {
      process.exitCode = 1;
      const why = run.timedOut
        ? `timed out after --timeout ${timeoutS} s`
        : run.oomKilled
          ? `out of memory: over the spec's resources.memoryMb ${spec.resources.memoryMb}`
          : `exit ${run.exitCode}`;
      const human = `artha-node run: job failed (${why}): ${run.lastErrorLine || "no error output"}\nlog: ${logFile}`;
      if (g.json) print(g, "", { ...run, ms, ok: false, image, outputDir: out, logFile });
      else console.error(human);
      return;
    }
    const { root } = await outputRootOfDirectory(out);
    print(g, `ok in ${(ms / 1000).toFixed(1)} s\noutputs: ${out}\nlog: ${logFile}\noutput root: ${root}`, {
      ok: true,
      image,
      outputDir: out,
      logFile,
      outputRoot: root as Hex,
      ms,
    });
  },
};
