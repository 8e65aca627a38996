// The indexer's chain and contracts come from a deployment file (the SDK's format, deployments/<chainId>.json)
// and an RPC URL; its database is PGlite in indexer/.ponder/pglite unless DATABASE_URL names a Postgres.
// Paths are relative to the indexer's folder, which is where `npm run indexer` starts Ponder.
import { readFileSync } from "node:fs";
import {
  jobManagerAbi,
  modelRegistryAbi,
  nodeRegistryAbi,
  parseDeployment,
  proofOfComputeAbi,
} from "@arthaain/sdk";
import { createConfig } from "ponder";

const deploymentFile = process.env.ARTHA_INDEXER_DEPLOYMENT ?? "../deployments/31337.json";
const rpcUrl = process.env.ARTHA_INDEXER_RPC_URL ?? "http://127.0.0.1:8545";
const deployment = (() => {
  let text: string;
  try {
    text = readFileSync(deploymentFile, "utf8");
  } catch (error) {
    throw new Error(
      `indexer: cannot read the deployment file ${deploymentFile} (${(error as NodeJS.ErrnoException).code}); set ARTHA_INDEXER_DEPLOYMENT`,
    );
  }
  return parseDeployment(JSON.parse(text), deploymentFile);
})();
const contract = <A>(abi: A, address: `0x${string}`) => ({
  chain: "artha" as const,
  abi,
  address,
  startBlock: deployment.startBlock,
});

export default createConfig({
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL, poolConfig: { max: 60 } }
    : { kind: "pglite", directory: process.env.ARTHA_INDEXER_PGLITE ?? ".ponder/pglite" },
  chains: {
    artha: {
      id: deployment.chainId,
      rpc: rpcUrl,
      pollingInterval: Number(process.env.ARTHA_INDEXER_POLL_MS ?? 250),
      // A devnet is reset and redeployed at the same addresses: never serve blocks cached from another run.
      disableCache: deployment.chainId === 31337,
    },
  },
  contracts: {
    NodeRegistry: contract(nodeRegistryAbi, deployment.contracts.nodeRegistry),
    ModelRegistry: contract(modelRegistryAbi, deployment.contracts.modelRegistry),
    JobManager: contract(jobManagerAbi, deployment.contracts.jobManager),
    ProofOfCompute: contract(proofOfComputeAbi, deployment.contracts.proofOfCompute),
  },
});
