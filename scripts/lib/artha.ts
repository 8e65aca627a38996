// A deployed ArthaAIN on a Hardhat chain (in-process, or a running node), with funded actors and the few
// steps that the contract tests, the gas benchmark and the devnet all repeat. Deployment goes through the same Ignition module as devnets.

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type ArthaWriteContext,
  type Deployment,
  getJobRecord,
  getVerifierDraw,
  JobKind,
  type JobRecord,
  verificationCommitment,
} from "@arthaain/sdk";
import hre from "hardhat";
import { type Address, type Hash, type Hex, keccak256, toHex } from "viem";
import { ArthaDevnetModule, type defaultParams } from "../../ignition/modules/Artha.ts";

export { JobKind, JobState } from "@arthaain/sdk";

export const TOKEN = 1_000_000n; // one token at 6 decimals
export const JOBS_ROLE = keccak256(toHex("JOBS_ROLE"));
export const CERTIFIER_ROLE = keccak256(toHex("CERTIFIER_ROLE"));
/** Short windows so tests move through a job's life in simulated seconds. */
export const testParams = {
  claimWindow: 30,
  challengeWindow: 600,
  minBidWindow: 5,
  maxBidWindow: 3600,
  maxRuntimeLimit: 7 * 24 * 3600,
  disputeTimeout: 3600,
  unbondingDelay: 3600,
  // No random audits and no verification budget: job-life tests pay out unaudited at any price up to the max.
  auditBps: 0,
  verificationBudgetBps: 0,
} satisfies Partial<Record<keyof typeof defaultParams, number | bigint>>;

/** The devnet's protocol parameters (ignition/parameters/devnet.json): a job's whole life takes seconds. */
export const devnetParams: Record<
  "claimWindow" | "challengeWindow" | "minBidWindow" | "maxBidWindow" | "disputeTimeout" | "unbondingDelay",
  number
> = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../ignition/parameters/devnet.json"), "utf8"),
).ArthaDevnet;

/**
 * Deploys ArthaAIN with the devnet Ignition module and returns the contracts, actors and step helpers.
 * `network` names a Hardhat network (default: a fresh in-process chain; "localhost" for a running node),
 * optionally with the URL of the running node.
 */
export async function deployArtha(
  overrides: Partial<Record<keyof typeof defaultParams, number | bigint>> = {},
  network?: string | { name: string; url: string },
) {
  const conn = await hre.network.connect(
    typeof network === "string"
      ? { network }
      : network
        ? { network: network.name, override: { url: network.url } }
        : undefined,
  );
  const params = { ...testParams, ...overrides };
  // A chain named by URL is a throwaway (a test's own node): its Ignition journal goes to a folder of its
  // own, removed after the deployment, so runs never find each other's journals.
  const deploymentId = typeof network === "object" ? `throwaway-${process.pid}-${Date.now()}` : undefined;
  const deployed = await conn.ignition.deploy(ArthaDevnetModule, {
    parameters: { ArthaDevnet: params },
    ...(deploymentId ? { deploymentId } : {}),
  });
  if (deploymentId)
    rmSync(join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
  const publicClient = await conn.viem.getPublicClient();
  const wallets = await conn.viem.getWalletClients();
  const [admin, requester, ...operators] = wallets;
  const { token, nodeRegistry, modelRegistry, jobManager, proofOfCompute } = deployed;
  const { time } = conn.networkHelpers;
  // Waits for a transaction to be mined: on a devnet with interval mining, a write returns before its block.
  const mined = async (hash: Promise<Hash>) =>
    publicClient.waitForTransactionReceipt({ hash: await hash, pollingInterval: 100 });

  const as = <C extends { address: Address }>(contract: C, wallet: (typeof wallets)[number]) =>
    conn.viem.getContractAt(contractName(contract), contract.address, {
      client: { wallet },
    }) as unknown as Promise<C>;

  function contractName(c: { address: Address }) {
    if (c.address === token.address) return "MockToken" as const;
    if (c.address === nodeRegistry.address) return "NodeRegistry" as const;
    if (c.address === modelRegistry.address) return "ModelRegistry" as const;
    if (c.address === jobManager.address) return "AIJobManager" as const;
    return "ProofOfCompute" as const;
  }

  async function fund(account: Address, amount: bigint, spender: Address) {
    await mined(token.write.mint([account, amount]));
    const wallet = wallets.find((w) => w.account.address.toLowerCase() === account.toLowerCase())!;
    const t = await as(token, wallet);
    await mined(t.write.approve([spender, amount]));
  }

  async function registerNode(
    wallet: (typeof wallets)[number],
    opts: { stake?: bigint; gpuCount?: number; vramGb?: number; apiUrl?: string } = {},
  ) {
    const stake = opts.stake ?? 1_000n * TOKEN;
    await fund(wallet.account.address, stake, nodeRegistry.address);
    const reg = await as(nodeRegistry, wallet);
    await mined(
      reg.write.register([
        {
          capabilities: {
            gpuCount: opts.gpuCount ?? 1,
            vramGbPerGpu: opts.vramGb ?? 24,
            cpuCores: 16,
            ramGb: 64,
            runtimeFlags: 1,
            gpuModel: "NVIDIA GeForce RTX 4090",
          },
          peerId: `12D3KooW${wallet.account.address.slice(2, 14)}`,
          multiaddrs: ["/ip4/127.0.0.1/tcp/4001"],
          apiUrl: opts.apiUrl ?? "http://127.0.0.1:7070",
        },
        stake,
      ]),
    );
    return wallet.account.address;
  }

  async function registerModelAndDataset(owner = requester!) {
    const mr = await as(modelRegistry, owner);
    await mined(mr.write.registerDataset([sha("dataset"), "file:///data/iris.csv", 4_551n, "CC-BY-4.0", 0]));
    const datasetId = await modelRegistry.read.datasetCount();
    await mined(
      mr.write.registerModel([
        {
          contentHash: sha("model"),
          uri: "file:///models/mlp",
          name: "iris-mlp",
          license: "MIT",
          parentId: 0,
          datasetIds: [datasetId],
        },
      ]),
    );
    const modelId = await modelRegistry.read.modelCount();
    return { modelId, datasetId };
  }

  function jobRequest(
    o: Partial<{
      kind: number;
      modelId: number;
      datasetId: number;
      maxPrice: bigint;
      bidWindow: number;
      maxRuntime: number;
      gpuCount: number;
      minVramGb: number;
      minCertLevel: number;
      dependsOn: bigint[];
      verification: number;
    }> = {},
  ) {
    return {
      kind: o.kind ?? JobKind.Train,
      modelId: o.modelId ?? 1,
      datasetId: o.datasetId ?? 1,
      imageDigest: sha("image"),
      specHash: sha("spec"),
      specUri: "file:///specs/train.json",
      requirements: {
        gpuCount: o.gpuCount ?? 1,
        minVramGb: o.minVramGb ?? 16,
        minCertLevel: o.minCertLevel ?? 0,
      },
      maxPrice: o.maxPrice ?? 100n * TOKEN,
      bidWindow: o.bidWindow ?? 10,
      maxRuntime: o.maxRuntime ?? 3600,
      verification: o.verification ?? 0,
      dependsOn: o.dependsOn ?? [],
    };
  }

  async function submitJob(req = jobRequest(), wallet = requester!) {
    await fund(wallet.account.address, req.maxPrice, jobManager.address);
    const jm = await as(jobManager, wallet);
    const receipt = await mined(jm.write.submitJob([req]));
    return { jobId: await jobManager.read.jobCount(), receipt };
  }

  type Wallet = (typeof wallets)[number];
  /** The job's current record (what every job call takes), read the way the SDK reads it. */
  const record = (jobId: bigint): Promise<JobRecord> =>
    getJobRecord(publicClient as never, { jobManager: jobManager.address, jobId });
  const claimEnd = async (jobId: bigint) => jobManager.read.claimEnd([await record(jobId)]);
  const deadline = async (jobId: bigint) => jobManager.read.deadline([await record(jobId)]);

  // Each job step with its current record, so callers (tests, bench, devnet) name only what varies.
  async function claim(wallet: Wallet, jobId: bigint, price: bigint, dependencies: JobRecord[] = []) {
    const jm = await as(jobManager, wallet);
    return mined(jm.write.claim([jobId, await record(jobId), price, dependencies]));
  }
  async function submitResult(wallet: Wallet, jobId: bigint, outputRoot: Hex, uri = "file:///out") {
    const jm = await as(jobManager, wallet);
    return mined(jm.write.submitResult([jobId, await record(jobId), outputRoot, sha("metrics"), uri]));
  }
  async function finalize(jobId: bigint, wallet: Wallet = admin!) {
    const jm = await as(jobManager, wallet);
    return mined(jm.write.finalize([jobId, await record(jobId)]));
  }
  async function cancel(jobId: bigint, wallet: Wallet = requester!) {
    const jm = await as(jobManager, wallet);
    return mined(jm.write.cancel([jobId, await record(jobId)]));
  }
  async function expire(jobId: bigint, wallet: Wallet = admin!) {
    const jm = await as(jobManager, wallet);
    return mined(jm.write.expire([jobId, await record(jobId)]));
  }
  async function challenge(jobId: bigint, wallet: Wallet = requester!) {
    const poc = await as(proofOfCompute, wallet);
    return mined(poc.write.challenge([jobId, await record(jobId)]));
  }
  // The verification steps (docs/verification.md), each with the job's current record where it takes one.
  async function drawAudit(jobId: bigint, wallet: Wallet = admin!) {
    const poc = await as(proofOfCompute, wallet);
    return mined(poc.write.drawAudit([jobId, await record(jobId)]));
  }
  async function commit(
    wallet: Wallet,
    jobId: bigint,
    index: bigint,
    result: Hex,
    salt: Hex,
    agrees = false,
  ) {
    const poc = await as(proofOfCompute, wallet);
    const c = verificationCommitment(jobId, wallet.account.address, result, agrees, salt);
    return mined(poc.write.commit([jobId, index, c]));
  }
  async function reveal(wallet: Wallet, jobId: bigint, result: Hex, salt: Hex, agrees = false) {
    const poc = await as(proofOfCompute, wallet);
    return mined(poc.write.reveal([jobId, await record(jobId), result, agrees, salt]));
  }
  async function resolve(jobId: bigint, majority: Address[], wallet: Wallet = admin!) {
    const poc = await as(proofOfCompute, wallet);
    const sorted = [...majority].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    return mined(poc.write.resolve([jobId, await record(jobId), sorted]));
  }
  /**
   * The current round's first `max` distinct verifiers (never the worker or the challenger) with their draw
   * indices, computed
   * as the contract does; a seed not fixed on-chain yet is taken from its block's hash, as a verifier would.
   * The SDK's getVerifierDraw computes it (one source of truth for the agent, the tests and the bench).
   */
  async function drawnVerifiers(jobId: bigint, max: number) {
    const draw = await getVerifierDraw(publicClient as never, {
      proofOfCompute: proofOfCompute.address,
      nodeRegistry: nodeRegistry.address,
      jobId,
      max,
    });
    return draw?.verifiers ?? [];
  }

  /** Moves simulated time so the next block is at `timestamp`. */
  async function timeTo(timestamp: bigint | number) {
    const now = BigInt(await time.latest());
    if (BigInt(timestamp) > now) await time.increaseTo(BigInt(timestamp));
  }

  // Every deployment starts with one dataset and one model (ids 1), owned by the requester.
  const { modelId, datasetId } = await registerModelAndDataset();

  const deployment: Deployment = {
    chainId: await publicClient.getChainId(),
    startBlock: 0,
    contracts: {
      token: token.address,
      nodeRegistry: nodeRegistry.address,
      modelRegistry: modelRegistry.address,
      jobManager: jobManager.address,
      proofOfCompute: proofOfCompute.address,
    },
    // JSON-safe: a bigint parameter (a token amount) is written as its decimal string.
    params: Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
    ) as Record<string, string | number>,
  };
  /** What the SDK's actions take, acting as `wallet` (default: the requester). */
  const sdkContext = (wallet: Wallet = requester!): ArthaWriteContext => ({
    publicClient: publicClient as never,
    walletClient: wallet as never,
    deployment,
  });

  return {
    deployment,
    sdkContext,
    conn,
    modelId,
    datasetId,
    publicClient,
    wallets,
    admin: admin!,
    requester: requester!,
    operators,
    token,
    nodeRegistry,
    modelRegistry,
    jobManager,
    proofOfCompute,
    params,
    as,
    fund,
    registerNode,
    registerModelAndDataset,
    jobRequest,
    submitJob,
    record,
    claimEnd,
    deadline,
    claim,
    submitResult,
    finalize,
    cancel,
    expire,
    challenge,
    drawAudit,
    commit,
    reveal,
    resolve,
    drawnVerifiers,
    mined,
    timeTo,
    time,
  };
}

export function sha(label: string): Hex {
  return keccak256(toHex(label));
}

export type Artha = Awaited<ReturnType<typeof deployArtha>>;
