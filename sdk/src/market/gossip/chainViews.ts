// What the market's validator reads from NodeRegistry, shared by the agents and by requesters watching an
// auction, so both judge a bid against the same view of the node.
import type { Address, PublicClient } from "viem";
import { nodeRegistryAbi } from "../../abi/generated.ts";
import type { BidNodeView } from "./validateBid.ts";

/** Registered nodes read for gossip bootstrap addresses, at most. */
export const MAX_REGISTERED_PEERS = 64;

/** A node as validateBid needs it: registration, activity, capabilities, certification. */
export async function readBidNode(
  publicClient: PublicClient,
  nodeRegistry: Address,
  address: Address,
): Promise<BidNodeView> {
  const registry = { address: nodeRegistry, abi: nodeRegistryAbi } as const;
  const [node, active] = await Promise.all([
    publicClient.readContract({ ...registry, functionName: "getNode", args: [address] }),
    publicClient.readContract({ ...registry, functionName: "isActive", args: [address] }),
  ]);
  return {
    registered: node.registered,
    active,
    gpuCount: node.gpuCount,
    vramGbPerGpu: node.vramGbPerGpu,
    certLevel: node.certLevel,
    certExpiry: Number(node.certExpiry),
  };
}

/**
 * readBidNode with each node's view kept `ttlMs` (a node bids once or twice per job). A failed read
 * throws and is not cached: an RPC outage is not a reason to reject a bid (the market ignores it instead).
 */
export function cachedBidNodeLookup(
  publicClient: PublicClient,
  nodeRegistry: Address,
  ttlMs = 30_000,
): (address: Address) => Promise<BidNodeView> {
  const cache = new Map<string, { at: number; value: BidNodeView }>();
  return async (address) => {
    const key = address.toLowerCase();
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = await readBidNode(publicClient, nodeRegistry, address);
    cache.set(key, { at: Date.now(), value });
    return value;
  };
}

/**
 * The multiaddrs (those ending in a peer id) registered by the first MAX_REGISTERED_PEERS active nodes,
 * except `exclude` (an agent's own): gossip bootstrap peers with no configuration at all.
 */
export async function registeredPeerAddresses(
  publicClient: PublicClient,
  nodeRegistry: Address,
  exclude?: Address,
): Promise<string[]> {
  const registry = { address: nodeRegistry, abi: nodeRegistryAbi } as const;
  const count = await publicClient.readContract({ ...registry, functionName: "activeCount" });
  const n = Number(count < BigInt(MAX_REGISTERED_PEERS) ? count : BigInt(MAX_REGISTERED_PEERS));
  const operators = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      publicClient.readContract({ ...registry, functionName: "activeAt", args: [BigInt(i)] }),
    ),
  );
  const others = operators.filter((op) => op.toLowerCase() !== exclude?.toLowerCase());
  const metas = await Promise.all(
    others.map((op) => publicClient.readContract({ ...registry, functionName: "getNodeMeta", args: [op] })),
  );
  return metas.flatMap((meta) => meta.multiaddrs.filter((a) => a.includes("/p2p/")));
}
