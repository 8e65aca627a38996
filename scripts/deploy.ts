// Deploys ArthaAIN with Ignition to a configured Hardhat network and writes deployments/<chainId>.json.
//   node scripts/deploy.ts --network <name> [--parameters <file.json>] [--token <address>]
// With --token the production module binds an existing ERC-20; without it the devnet module deploys the
// mock token. The deployment file is what the SDK, the node agent and the indexer read.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Deployment } from "@arthaain/sdk";
import hre from "hardhat";
import { isAddress } from "viem";
import { ArthaDevnetModule, ArthaModule } from "../ignition/modules/Artha.ts";

const root = join(import.meta.dirname, "..");

/** Writes deployments/<chainId>.json and returns its path. */
export function writeDeployment(d: Deployment): string {
  const dir = join(root, "deployments");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${d.chainId}.json`);
  writeFileSync(path, `${JSON.stringify(d, null, 2)}\n`);
  return path;
}

async function main() {
  const { values } = parseArgs({
    options: { network: { type: "string" }, parameters: { type: "string" }, token: { type: "string" } },
  });
  if (!values.network)
    throw new Error("deploy: --network <name> is required (a network of hardhat.config.ts)");
  if (values.token !== undefined && !isAddress(values.token)) {
    throw new Error(`deploy: --token must be a 0x-prefixed 20-byte address, got ${values.token}`);
  }
  const moduleName = values.token ? "Artha" : "ArthaDevnet";
  const fileParams = values.parameters ? JSON.parse(readFileSync(values.parameters, "utf8")) : {};
  const params = { ...(fileParams[moduleName] ?? {}), ...(values.token ? { token: values.token } : {}) };

  const conn = await hre.network.connect({ network: values.network });
  const client = await conn.viem.getPublicClient();
  const chainId = await client.getChainId();
  const startBlock = Number(await client.getBlockNumber()) + 1;
  const options = { parameters: { [moduleName]: params } };
  const c = values.token
    ? await conn.ignition.deploy(ArthaModule, options)
    : await conn.ignition.deploy(ArthaDevnetModule, options);
  const path = writeDeployment({
    chainId,
    startBlock,
    contracts: {
      token: c.token.address,
      nodeRegistry: c.nodeRegistry.address,
      modelRegistry: c.modelRegistry.address,
      jobManager: c.jobManager.address,
      proofOfCompute: c.proofOfCompute.address,
    },
    params,
  });
  console.log(`deployed to chain ${chainId}: ${path}`);
}

if (import.meta.filename === process.argv[1]) await main();
