import type { Address } from "viem";

/** Where a deployment lives: written by scripts/deploy.ts to deployments/<chainId>.json. */
export type Deployment = {
  chainId: number;
  /** First block that can hold ArthaAIN events (indexers and watchers start here). */
  startBlock: number;
  contracts: {
    token: Address;
    nodeRegistry: Address;
    modelRegistry: Address;
    jobManager: Address;
    proofOfCompute: Address;
  };
  /** The protocol parameters the contracts were deployed with. */
  params: Record<string, string | number>;
};

const addressPattern = /^0x[0-9a-fA-F]{40}$/;

/** Checks a parsed deployment file, naming the first field that is wrong. */
export function parseDeployment(value: unknown, source: string): Deployment {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (typeof value !== "object" || value === null) fail("expected a JSON object");
  const d = value as Partial<Deployment>;
  if (!Number.isInteger(d.chainId) || (d.chainId as number) <= 0) fail("chainId must be a positive integer");
  if (!Number.isInteger(d.startBlock) || (d.startBlock as number) < 0) {
    fail("startBlock must be a non-negative integer");
  }
  if (typeof d.contracts !== "object" || d.contracts === null) fail("contracts must be an object");
  for (const name of ["token", "nodeRegistry", "modelRegistry", "jobManager", "proofOfCompute"] as const) {
    const a = (d.contracts as Record<string, unknown>)[name];
    if (typeof a !== "string" || !addressPattern.test(a)) {
      fail(`contracts.${name} must be a 0x-prefixed 20-byte address, got ${JSON.stringify(a)}`);
    }
  }
  return { params: {}, ...d } as Deployment;
}
