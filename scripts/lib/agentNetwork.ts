// A local ArthaAIN network for node-agent tests, the agent benchmark and the devnet: a Hardhat node in its
// own process, the contracts deployed, the torch CPU image, a registered dataset and base model whose
// files live on disk (file:// URIs, real content hashes), operators registered, and agent configs.
// Optionally (`settableSeed`) the proof contract takes its randomness from a seed source the caller sets,
// the stand-in for an L2's VRF, so a test can decide which nodes a dispute draws as verifiers.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalSpecJson, drawPositions, roundSeed, specHash } from "@arthaain/sdk";
import { outputRootOfDirectory } from "@arthaain/sdk/node";
import hre from "hardhat";
import { type Address, getAddress, type Hex, keccak256, toHex, zeroHash } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { AgentConfigInput } from "../../node-agent/src/config/agentConfig.ts";
import { classificationCsv, trainSpec as torchTrainSpec } from "../../runtimes/test/fixtures.ts";
import { buildRuntimeImages } from "../../runtimes/test/images.ts";
import { deployArtha, devnetParams, TOKEN } from "./artha.ts";
import { startChain } from "./startChain.ts";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
/** The private key of Hardhat's default account `index` (0 admin, 1 requester, 2… operators). */
export const devKey = (index: number): Hex =>
  toHex(mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);

/** The small train job every demo and test runs, with the resources the agents reserve for it. */
export const trainSpec = torchTrainSpec({ resources: { cpus: 1, memoryMb: 1024 } });

/**
 * The nodes a verifier draw must name (the seeder's pick): `first` take the round's first eligible places
 * (the places besides the worker and the challenger: the verifiers the round needs, when k of them), and
 * `spares` later places; no other node that runs an agent is drawn.
 */
export type DrawWanted = { first: readonly Address[]; spares?: readonly Address[] };

export async function startAgentNetwork(opts: {
  dir: string;
  port: number;
  params?: Record<string, number>;
  /**
   * Deploy the proof contract with a SettableSeed as its seed source (ISeedSource, as an L2 deployment plugs
   * in a VRF) instead of block hashes. A draw then waits until its seed block has a seed: run `seeds.start`
   * to provide them, chosen so a round draws given verifiers (tests of the verification protocol).
   */
  settableSeed?: boolean;
}) {
  mkdirSync(opts.dir, { recursive: true });
  const [chain, images] = await Promise.all([
    startChain({ port: opts.port, logFile: join(opts.dir, "chain.log") }),
    buildRuntimeImages(),
  ]);
  try {
    const params = { ...devnetParams, ...opts.params };
    // The seed source is deployed first (the proof contract takes it in its constructor), by the chain's last
    // default account: the admin's nonces stay Ignition's, and the seeder never races another sender.
    const seedSource = opts.settableSeed ? await deploySettableSeed(chain.rpcUrl) : undefined;
    const a = await deployArtha(
      // seedSource is an address parameter of the Ignition module, not one of the numeric defaults.
      (seedSource ? { ...params, seedSource: seedSource.address } : params) as typeof params,
      { name: "localhost", url: chain.rpcUrl },
    );
    const { deployment } = a;
    const deploymentFile = join(opts.dir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2));

    // The dataset and base model as directories on disk, registered with their tree roots.
    const dataDir = join(opts.dir, "inputs/iris");
    const modelDir = join(opts.dir, "inputs/mlp");
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(modelDir, { recursive: true });
    writeFileSync(join(dataDir, "train.csv"), classificationCsv(240));
    writeFileSync(join(modelDir, "architecture.json"), JSON.stringify(trainSpec.runtime.model));
    const dataRoot = (await outputRootOfDirectory(dataDir)).root;
    const modelRoot = (await outputRootOfDirectory(modelDir)).root;
    const mr = await a.as(a.modelRegistry, a.requester);
    await a.mined(mr.write.registerDataset([dataRoot, `file://${dataDir}/`, 4_000n, "CC-BY-4.0", 0]));
    const datasetId = await a.modelRegistry.read.datasetCount();
    await a.mined(
      mr.write.registerModel([
        {
          contentHash: modelRoot,
          uri: `file://${modelDir}/`,
          name: "iris-mlp",
          license: "MIT",
          parentId: 0,
          datasetIds: [datasetId],
        },
      ]),
    );
    const modelId = await a.modelRegistry.read.modelCount();

    /** Writes `spec` content-addressed under the network's directory; returns its URI and hash. */
    function storeSpec(spec: unknown) {
      const text = canonicalSpecJson(spec as never);
      const hash = specHash(new TextEncoder().encode(text));
      const file = join(opts.dir, "specs", `${hash.slice(2)}.json`);
      mkdirSync(join(opts.dir, "specs"), { recursive: true });
      writeFileSync(file, text);
      return { specUri: `file://${file}`, specHash: hash };
    }

    /** Submits a train job from the requester, escrowing `maxPrice`. */
    async function submitTrainJob(
      o: {
        maxPrice?: bigint;
        bidWindow?: number;
        maxRuntime?: number;
        spec?: unknown;
        imageDigest?: Hex;
        datasetId?: number;
      } = {},
    ) {
      const { specUri, specHash: hash } = storeSpec(o.spec ?? trainSpec);
      const req = {
        ...a.jobRequest({
          kind: 0,
          modelId,
          datasetId: o.datasetId ?? datasetId,
          maxPrice: o.maxPrice ?? 100n * TOKEN,
          bidWindow: o.bidWindow ?? 5,
          maxRuntime: o.maxRuntime ?? 600,
          gpuCount: 0,
          minVramGb: 0,
        }),
        imageDigest: o.imageDigest ?? (`0x${images.torch.slice("sha256:".length)}` as Hex),
        specHash: hash,
        specUri,
      };
      return a.submitJob(req);
    }

    /** A config for an agent of operator `i` (0-based), data under the network's directory. */
    function agentConfig(i: number, extra: Partial<AgentConfigInput> = {}): AgentConfigInput {
      return {
        dataDir: join(opts.dir, `agent-${i}`),
        rpcUrl: chain.rpcUrl,
        deployment: deploymentFile,
        confirmations: 1,
        pollIntervalMs: 250,
        log: { level: "info", file: join(opts.dir, `agent-${i}.log`) },
        policy: {
          images: { allowAny: false, digests: [`0x${images.torch.slice(7)}`] },
          fileRoots: [opts.dir],
        },
        market: { claimStepS: 2 },
        hardware: { cpuCores: 2, ramMb: 8192, gpus: [] },
        ...extra,
      };
    }

    /**
     * Provides the seeds of pending verifier draws, polling every open dispute: `pick(jobId, round)` names
     * the nodes the round must draw (`DrawWanted`), or undefined for a random seed. Only with `settableSeed`.
     */
    function startSeeder(
      pick: (jobId: bigint, round: number) => DrawWanted | undefined,
      { bystanders = [] }: { bystanders?: readonly Address[] } = {},
    ) {
      if (!seedSource) throw new Error("startSeeder: the network was started without settableSeed");
      const seeder = seedSource;
      let stopped = false;
      const done = new Set<string>();
      const errors: Error[] = [];
      const once = async () => {
        const count = await a.jobManager.read.jobCount();
        for (let jobId = 1n; jobId <= count; jobId++) {
          const [dispute, draw] = await a.proofOfCompute.read.disputeOf([jobId]);
          const key = `${jobId}:${dispute.round}:${draw.seedBlock}`;
          if (dispute.openedAt === 0 || draw.seed !== 0n || done.has(key)) continue;
          const block = BigInt(draw.seedBlock);
          if ((await seeder.read.seedOf([block])) === zeroHash) {
            const want = pick(jobId, dispute.round);
            const seed = want
              ? await seedDrawing(jobId, dispute.round, [draw.worker, dispute.challenger], bystanders, want)
              : toHex(crypto.getRandomValues(new Uint8Array(32)));
            await a.mined(seeder.write.set([block, seed]));
          }
          done.add(key);
        }
      };
      const loop = (async () => {
        while (!stopped) {
          await once().catch((error: Error) => errors.push(error)); // the chain busy: next poll
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      return {
        /** Errors of polls that failed (retried at the next poll). */
        errors,
        async stop() {
          stopped = true;
          await loop;
        },
      };
    }

    /**
     * A block seed for which round `round` of `jobId`'s dispute draws `want` (with the contract's draw,
     * `drawPositions`), found by trying seeds in order. `skip` are the worker and the challenger, who never
     * verify; `bystanders` may fill any other place.
     */
    async function seedDrawing(
      jobId: bigint,
      round: number,
      skip: readonly Address[],
      bystanders: readonly Address[],
      want: DrawWanted,
    ) {
      const n = await a.nodeRegistry.read.activeCount();
      const active = await Promise.all(
        Array.from({ length: Number(n) }, (_, i) => a.nodeRegistry.read.activeAt([BigInt(i)])),
      );
      const places = 2 * (await a.proofOfCompute.read.verifiers());
      const key = (x: readonly Address[]) =>
        x
          .map((y) => getAddress(y))
          .sort()
          .join();
      const skipped = new Set(skip.map((x) => getAddress(x)));
      const standing = new Set(bystanders.map((x) => getAddress(x)));
      const first = key(want.first);
      const agents = key([...want.first, ...(want.spares ?? [])]);
      for (let i = 0; i < 1_000_000; i++) {
        const h = keccak256(toHex(`seed ${jobId} ${round} ${i}`));
        const seed = roundSeed(h, jobId, round);
        const eligible = drawPositions(seed, round, places, n)
          .map((p) => getAddress(active[Number(p)]!))
          .filter((x) => !skipped.has(x));
        if (
          key(eligible.slice(0, want.first.length)) === first &&
          key(eligible.filter((x) => !standing.has(x))) === agents
        ) {
          return h;
        }
      }
      throw new Error(`no seed draws ${agents} for job ${jobId} round ${round}`);
    }

    return {
      chain,
      a,
      images,
      deployment,
      deploymentFile,
      datasetId,
      modelId,
      dataRoot,
      modelRoot,
      storeSpec,
      submitTrainJob,
      agentConfig,
      /** Operator `i`'s key (Hardhat account 2 + i). */
      operatorKey: (i: number) => devKey(2 + i),
      /** The seed source and its seeder, when started with `settableSeed`. */
      seeds: seedSource ? { address: seedSource.address, start: startSeeder } : undefined,
      async stop() {
        await chain.stop();
      },
    };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

/** A SettableSeed on the chain at `rpcUrl`, deployed and driven by Hardhat's last default account. */
async function deploySettableSeed(rpcUrl: string) {
  const conn = await hre.network.connect({ network: "localhost", override: { url: rpcUrl } });
  const wallets = await conn.viem.getWalletClients();
  return conn.viem.deployContract("SettableSeed", [], { client: { wallet: wallets.at(-1)! } });
}

export type AgentNetwork = Awaited<ReturnType<typeof startAgentNetwork>>;
