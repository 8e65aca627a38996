// The wagmi actions against a real Hardhat node over HTTP, with wagmi's mock connector as the browser wallet:
// it answers eth_chainId / eth_requestAccounts itself and forwards the rest (eth_sendTransaction,
// eth_signTypedData_v4) to the node, which signs for its unlocked dev accounts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, connect, createConfig, disconnect, http, mock, switchChain } from "@wagmi/core";
import { type Address, defineChain, getAddress, sha256, toFunctionSelector, toHex } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { trainSpec } from "../../../runtimes/test/fixtures.ts";
import { type Artha, deployArtha, JobState, sha, TOKEN } from "../../../scripts/lib/artha.ts";
import { type Chain, startChain } from "../../../scripts/lib/startChain.ts";
import { jobManagerAbi } from "../abi/generated.ts";
import { ArthaTxError } from "../client/sendTransaction.ts";
import type { JobSpecInput } from "../spec/jobSpec.ts";
import {
  addCheckpoint,
  ChainNotInConfigError,
  cancelJob,
  challengeResult,
  getJob,
  publishModel,
  registerDataset,
  registerModel,
  submitTrainJob,
  WalletChainMismatchError,
  WalletNotConnectedError,
  watchJob,
  writeContextFromConfig,
} from "./index.ts";

const spec = trainSpec({ resources: { cpus: 1, memoryMb: 1024 } }) as unknown as JobSpecInput & {
  kind: "train";
};
const imageDigest = sha256(toHex("runtime image"));
const OTHER_CHAIN_ID = 1337;

let chain: Chain;
let a: Artha;
let dir: string;
let requester: Address;

const evmChain = (id: number, url: string) =>
  defineChain({
    id,
    name: `chain ${id}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });

/** A dapp's config: the devnet chain only, the mock wallet holding the requester's account. */
function devnetConfig(): Config {
  return createConfig({
    chains: [evmChain(31337, chain.rpcUrl)],
    connectors: [mock({ accounts: [requester] })],
    transports: { 31337: http(chain.rpcUrl) },
    multiInjectedProviderDiscovery: false,
    storage: null,
  });
}

async function connected(config: Config, chainId?: number): Promise<Config> {
  await connect(config, { connector: config.connectors[0]!, ...(chainId ? { chainId } : {}) });
  return config;
}

/** Every JSON-RPC method sent over HTTP while `run` runs, in order (public client and wallet alike). */
async function rpcMethods<T>(run: () => Promise<T>): Promise<{ result: T; methods: string[] }> {
  const methods: string[] = [];
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    if (typeof init?.body === "string") {
      const body = JSON.parse(init.body) as { method: string } | { method: string }[];
      for (const call of Array.isArray(body) ? body : [body]) methods.push(call.method);
    }
    return realFetch(input, init);
  });
  try {
    return { result: await run(), methods };
  } finally {
    spy.mockRestore();
  }
}

/** A train job on the deployment's base model and dataset, escrowing `maxPrice`. */
const train = (maxPrice = 1n * TOKEN) => ({
  deployment: a.deployment,
  spec,
  modelId: BigInt(a.modelId),
  datasetId: BigInt(a.datasetId),
  imageDigest,
  maxPrice,
});
const tokens = (account: Address) => a.token.read.balanceOf([account]);
const nonce = () => a.publicClient.getTransactionCount({ address: requester });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "artha-wagmi-"));
  chain = await startChain({ port: 8567, logFile: join(dir, "chain.log") });
  a = await deployArtha(undefined, { name: "localhost", url: chain.rpcUrl });
  requester = a.requester.account.address;
});
afterAll(async () => {
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

describe("wagmi actions with a connected browser wallet", () => {
  let config: Config;
  let jobId: bigint;
  beforeAll(async () => {
    config = await connected(devnetConfig());
  });

  it("submits a train job: the wallet signs the permit (eth_signTypedData_v4) and sends submitJobWithPermit", async () => {
    await a.mined(a.token.write.mint([requester, 100n * TOKEN]));
    const [mine, escrow] = await Promise.all([tokens(requester), tokens(a.jobManager.address)]);
    expect(await a.token.read.allowance([requester, a.jobManager.address])).toBe(0n);

    const { result, methods } = await rpcMethods(() =>
      submitTrainJob(config, { ...train(100n * TOKEN), bidWindow: 10 }),
    );
    jobId = result.jobId;

    // The permit path was taken: signed by the wallet through the mock connector, one transaction.
    expect(result.approval).toEqual({ method: "permit" });
    expect(methods.filter((m) => m === "eth_signTypedData_v4")).toHaveLength(1);
    expect(methods.filter((m) => m === "eth_sendTransaction")).toHaveLength(1);
    const tx = await a.publicClient.getTransaction({ hash: result.hash });
    expect(getAddress(tx.from)).toBe(getAddress(requester));
    const withPermit = jobManagerAbi.find((x) => x.type === "function" && x.name === "submitJobWithPermit");
    expect(tx.input.slice(0, 10)).toBe(toFunctionSelector(withPermit as never));

    expect(result.jobId).toBe(await a.jobManager.read.jobCount());
    expect(await tokens(requester)).toBe(mine - 100n * TOKEN);
    expect(await tokens(a.jobManager.address)).toBe(escrow + 100n * TOKEN);
    expect(await a.token.read.allowance([requester, a.jobManager.address])).toBe(0n);
  });

  it("reads the job back through the config's public client (getJob, watchJob)", async () => {
    const job = await getJob(config, { deployment: a.deployment, jobId });
    expect(job.state).toBe("open");
    expect(job.kind).toBe("train");
    expect(getAddress(job.record.requester)).toBe(getAddress(requester));
    expect(job.record.maxPrice).toBe(100n * TOKEN);

    const controller = new AbortController();
    const watcher = watchJob(config, {
      deployment: a.deployment,
      jobId,
      pollingIntervalMs: 50,
      signal: controller.signal,
    });
    const first = await watcher.next();
    expect(first.done === false && first.value.name).toBe("JobSubmitted");
    controller.abort();
    expect(await watcher.next()).toEqual({ done: true, value: undefined });
  });

  it("cancels the job from the wallet: the whole escrow is refunded to the requester", async () => {
    const owed = await a.jobManager.read.balanceOf([requester]);
    const cancelled = await cancelJob(config, { deployment: a.deployment, jobId });
    expect(cancelled.refunded).toBe(100n * TOKEN);
    expect(cancelled.nodeFee).toBe(0n);
    expect(await a.jobManager.read.balanceOf([requester])).toBe(owed + 100n * TOKEN);
    const tx = await a.publicClient.getTransaction({ hash: cancelled.hash });
    expect(getAddress(tx.from)).toBe(getAddress(requester));
    expect((await getJob(config, { deployment: a.deployment, jobId })).state).toBe("cancelled");
  });

  it("surfaces a contract refusal as ArthaTxError with the custom error's name, sending nothing", async () => {
    const before = await nonce();
    const { result: error, methods } = await rpcMethods(() =>
      cancelJob(config, { deployment: a.deployment, jobId }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(ArthaTxError);
    expect((error as ArthaTxError).errorName).toBe("JobNotCancellable");
    expect((error as ArthaTxError).label).toBe("cancelJob");
    expect(methods).not.toContain("eth_sendTransaction");
    expect(await nonce()).toBe(before);
  });

  it("approves exactly maxPrice from the wallet when asked to, then submits", async () => {
    await a.mined(a.token.write.mint([requester, 7n * TOKEN]));
    const { result, methods } = await rpcMethods(() =>
      submitTrainJob(config, { ...train(7n * TOKEN), approval: "approve" }),
    );
    expect(result.approval.method).toBe("approve");
    expect(methods).not.toContain("eth_signTypedData_v4");
    expect(methods.filter((m) => m === "eth_sendTransaction")).toHaveLength(2);
    const job = await getJob(config, { deployment: a.deployment, jobId: result.jobId });
    expect(job.state).toBe("open");
    expect(job.record.maxPrice).toBe(7n * TOKEN);
  });

  it("registers a dataset and a model, adds a checkpoint and publishes it, owned by the wallet's account", async () => {
    const deployment = a.deployment;
    const { datasetId } = await registerDataset(config, {
      deployment,
      contentHash: sha256(toHex("wagmi dataset")),
      uri: "file:///data/wagmi.csv",
      size: 1234n,
      license: "CC0-1.0",
    });
    const { modelId } = await registerModel(config, {
      deployment,
      contentHash: sha256(toHex("wagmi model")),
      uri: "file:///models/wagmi",
      name: "wagmi-mlp",
      license: "MIT",
      datasetIds: [datasetId],
    });
    expect(datasetId).toBe(BigInt(await a.modelRegistry.read.datasetCount()));
    expect(modelId).toBe(BigInt(await a.modelRegistry.read.modelCount()));
    const { checkpointId } = await addCheckpoint(config, {
      deployment,
      modelId,
      contentHash: sha256(toHex("wagmi checkpoint")),
      uri: "file:///models/wagmi/ckpt-10",
      step: 10n,
    });
    expect(checkpointId).toBeGreaterThan(0n);
    await publishModel(config, { deployment, modelId });

    const again = await publishModel(config, { deployment, modelId }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ArthaTxError);
    expect((again as ArthaTxError).errorName).toBe("AlreadyPublished");
  });

  it("challenges a submitted result from the wallet: the bond approved exactly and paid, a dispute opened", async () => {
    // A result of the requester's job, submitted by a node of the test's own.
    const worker = a.operators[0]!;
    await a.registerNode(worker);
    const { jobId: id } = await a.submitJob(a.jobRequest({ maxPrice: 20n * TOKEN }));
    await a.timeTo((await a.record(id)).bidEnd);
    await a.claim(worker, id, 10n * TOKEN);
    await a.timeTo(await a.claimEnd(id));
    await a.submitResult(worker, id, sha("wagmi result"));

    const bond = await a.proofOfCompute.read.challengeBond();
    await a.mined(a.token.write.mint([requester, bond]));
    const [mine, held] = await Promise.all([tokens(requester), tokens(a.proofOfCompute.address)]);
    const { result, methods } = await rpcMethods(() =>
      challengeResult(config, { deployment: a.deployment, jobId: id }),
    );

    // Sent by the wallet: an approval of exactly the bond, then the challenge.
    expect(methods.filter((m) => m === "eth_sendTransaction")).toHaveLength(2);
    const tx = await a.publicClient.getTransaction({ hash: result.hash });
    expect(getAddress(tx.from)).toBe(getAddress(requester));
    expect(getAddress(tx.to!)).toBe(getAddress(a.proofOfCompute.address));
    expect(result.bond).toBe(bond);
    expect(getAddress(result.challenger)).toBe(getAddress(requester));

    // The chain: the bond moved, nothing left approved, the job disputed with the requester as challenger.
    expect(await tokens(requester)).toBe(mine - bond);
    expect(await tokens(a.proofOfCompute.address)).toBe(held + bond);
    expect(await a.token.read.allowance([requester, a.proofOfCompute.address])).toBe(0n);
    expect((await a.record(id)).state).toBe(JobState.Disputed);
    const [dispute, draw] = await a.proofOfCompute.read.disputeOf([id]);
    expect(getAddress(dispute.challenger)).toBe(getAddress(requester));
    expect(dispute.round).toBe(1);
    expect(getAddress(draw.worker)).toBe(getAddress(worker.account.address));
    expect(BigInt(draw.seedBlock)).toBe(result.seedBlock);
    expect(BigInt(dispute.openedAt) + BigInt(a.params.disputeTimeout)).toBe(result.timeoutAt);
    expect((await getJob(config, { deployment: a.deployment, jobId: id })).state).toBe("disputed");

    // A second challenge is refused by the contract before the wallet is asked to send anything.
    await a.mined(a.token.write.mint([requester, bond]));
    const { result: again, methods: refused } = await rpcMethods(() =>
      challengeResult(config, { deployment: a.deployment, jobId: id }).catch((e: unknown) => e),
    );
    expect(again).toBeInstanceOf(ArthaTxError);
    expect((again as ArthaTxError).errorName).toBe("WrongState");
    expect(refused).not.toContain("eth_sendTransaction");
    expect(await a.token.read.allowance([requester, a.proofOfCompute.address])).toBe(0n);
  });
});

describe("wagmi actions refuse a wallet that cannot act for the deployment", () => {
  it("names both chain ids when the wallet is on another chain, and acts once switched", async () => {
    const config = createConfig({
      chains: [evmChain(OTHER_CHAIN_ID, chain.rpcUrl), evmChain(31337, chain.rpcUrl)],
      connectors: [mock({ accounts: [requester] })],
      transports: { [OTHER_CHAIN_ID]: http(chain.rpcUrl), 31337: http(chain.rpcUrl) },
      multiInjectedProviderDiscovery: false,
      storage: null,
    });
    await connected(config, OTHER_CHAIN_ID);
    const before = await nonce();
    const error = await submitTrainJob(config, train()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WalletChainMismatchError);
    expect((error as WalletChainMismatchError).walletChainId).toBe(OTHER_CHAIN_ID);
    expect((error as WalletChainMismatchError).deploymentChainId).toBe(31337);
    expect((error as Error).message).toMatch(
      /^submitTrainJob: the wallet is connected to chain 1337 but the deployment is on chain 31337/,
    );
    expect(await nonce()).toBe(before);

    await switchChain(config, { chainId: 31337 });
    const ctx = await writeContextFromConfig(config, { deployment: a.deployment });
    expect(getAddress(ctx.walletClient.account.address)).toBe(getAddress(requester));
    expect(await ctx.walletClient.getChainId()).toBe(31337);
  });

  it("says no account is connected before connecting and after disconnecting; reads still work", async () => {
    const config = devnetConfig();
    const error = await submitTrainJob(config, train()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WalletNotConnectedError);
    expect((error as Error).message).toMatch(/^submitTrainJob: no wallet account is connected/);
    expect((await getJob(config, { deployment: a.deployment, jobId: 1n })).jobId).toBe(1n);

    await connected(config);
    await writeContextFromConfig(config, { deployment: a.deployment });
    await disconnect(config);
    await expect(cancelJob(config, { deployment: a.deployment, jobId: 1n })).rejects.toThrow(
      WalletNotConnectedError,
    );
  });

  it("says the config lacks the deployment's chain", async () => {
    const config = createConfig({
      chains: [evmChain(OTHER_CHAIN_ID, chain.rpcUrl)],
      connectors: [mock({ accounts: [requester] })],
      transports: { [OTHER_CHAIN_ID]: http(chain.rpcUrl) },
      multiInjectedProviderDiscovery: false,
      storage: null,
    });
    await expect(getJob(config, { deployment: a.deployment, jobId: 1n })).rejects.toThrow(
      ChainNotInConfigError,
    );
    await expect(getJob(config, { deployment: a.deployment, jobId: 1n })).rejects.toThrow(
      "getJob: the deployment is on chain 31337 but the wagmi config only has chains 1337",
    );
  });
});
