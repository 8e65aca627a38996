// A local ArthaAIN network for node-agent tests, the agent benchmark and the devnet: a Hardhat node in its
// own process, the contracts deployed, the torch CPU image, a registered dataset and base model whose
// files live on disk (file:// URIs, real content hashes), operators registered, and agent configs.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalSpecJson, specHash } from "@arthaain/sdk";
import { outputRootOfDirectory } from "@arthaain/sdk/node";
import { type Hex, toHex } from "viem";
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

export async function startAgentNetwork(opts: {
  dir: string;
  port: number;
  params?: Record<string, number>;
}) {
  mkdirSync(opts.dir, { recursive: true });
  const [chain, images] = await Promise.all([
    startChain({ port: opts.port, logFile: join(opts.dir, "chain.log") }),
    buildRuntimeImages(),
  ]);
  try {
    const params = { ...devnetParams, ...opts.params };
    const a = await deployArtha(params, { name: "localhost", url: chain.rpcUrl });
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
      async stop() {
        await chain.stop();
      },
    };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

export type AgentNetwork = Awaited<ReturnType<typeof startAgentNetwork>>;
