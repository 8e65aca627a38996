import { type Address, getAddress } from "viem";
import { nodeRegistryAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { indexerListAll } from "../../client/indexer.ts";
import { scanEvents } from "../../client/scanEvents.ts";
import { type NodeInfo, readNodeInfo } from "./nodeInfo.ts";

export type ListNodesParameters = {
  /** true: only active nodes; false: only inactive ones; unset: both. */
  active?: boolean;
  /** Only nodes certified at this level or higher, with the certification not yet expired. */
  minCertLevel?: number;
  /** Only nodes whose GPU model contains this text (case-insensitive), e.g. "4090". */
  gpuModel?: string;
  minGpus?: number;
  /** Only nodes with at least this much VRAM per GPU. */
  minVramGb?: number;
  /** At most this many nodes (after filtering). */
  limit?: number;
  /** Skip this many matching nodes first. */
  offset?: number;
};

/** Nodes read at once: enough to be quick, few enough not to trip a public RPC's rate limit. */
const READ_BATCH = 16;

/**
 * Registered nodes that match the filters, oldest registration first, each with its current state read
 * from NodeRegistry (single objects always come from the chain). The addresses come from the indexer with
 * `ctx.indexerUrl`, else from NodeRegistered events of a bounded scan (see scanEvents), so nodes registered
 * before that window are not listed.
 */
export async function listNodes(ctx: ArthaReadContext, p: ListNodesParameters = {}): Promise<NodeInfo[]> {
  const offset = p.offset ?? 0;
  const limit = p.limit ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(offset) || offset < 0)
    throw new Error(`offset must be an integer >= 0, got ${offset}`);
  if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 0)) {
    throw new Error(`limit must be an integer >= 0, got ${limit}`);
  }
  if (limit === 0) return [];

  const operators = ctx.indexerUrl ? await operatorsFromIndexer(ctx, p) : await scanOperators(ctx);
  // Certification counts only until its expiry, judged by chain time as the registry judges it.
  const now = p.minCertLevel ? Number((await ctx.publicClient.getBlock()).timestamp) : 0;
  const model = p.gpuModel?.toLowerCase();
  const matches = (n: NodeInfo) =>
    n.registered &&
    (p.active === undefined || n.active === p.active) &&
    (!p.minCertLevel || (n.certLevel >= p.minCertLevel && n.certExpiry > now)) &&
    (model === undefined || n.capabilities.gpuModel.toLowerCase().includes(model)) &&
    (p.minGpus === undefined || n.capabilities.gpuCount >= p.minGpus) &&
    (p.minVramGb === undefined || n.capabilities.vramGbPerGpu >= p.minVramGb);

  const out: NodeInfo[] = [];
  let skipped = 0;
  for (let i = 0; i < operators.length && out.length < limit; i += READ_BATCH) {
    const batch = await Promise.all(operators.slice(i, i + READ_BATCH).map((a) => readNodeInfo(ctx, a)));
    for (const node of batch) {
      if (!matches(node)) continue;
      if (skipped < offset) skipped++;
      else if (out.length < limit) out.push(node);
    }
  }
  return out;
}

/** Operators from NodeRegistered events, oldest registration first. */
async function scanOperators(ctx: ArthaReadContext): Promise<Address[]> {
  const events = await scanEvents(ctx, {
    address: ctx.deployment.contracts.nodeRegistry,
    abi: nodeRegistryAbi,
    eventName: "NodeRegistered",
  });
  const seen = new Set<string>();
  const operators: Address[] = [];
  for (const e of events) {
    const operator = e.args.operator;
    if (operator && !seen.has(operator.toLowerCase())) {
      seen.add(operator.toLowerCase());
      operators.push(operator);
    }
  }
  return operators;
}

/** The same from the indexer (pre-filtered there where it can), oldest registration first. */
async function operatorsFromIndexer(ctx: ArthaReadContext, p: ListNodesParameters): Promise<Address[]> {
  const rows = await indexerListAll<{ address: string; registeredBlock: string }>(ctx, "/nodes", {
    active: p.active,
    minGpus: p.minGpus,
    minVramGb: p.minVramGb,
  });
  rows.sort((a, b) => Number(BigInt(a.registeredBlock) - BigInt(b.registeredBlock)));
  return rows.map((r) => getAddress(r.address));
}
