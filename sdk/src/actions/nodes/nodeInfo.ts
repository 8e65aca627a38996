import { type Address, getAddress } from "viem";
import { nodeRegistryAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";

/** A node's hardware as its operator declared it. */
export type NodeCapabilities = {
  gpuCount: number;
  vramGbPerGpu: number;
  cpuCores: number;
  ramGb: number;
  runtimeFlags: number;
  gpuModel: string;
};

/** A node as NodeRegistry holds it now: stake, bonds, certification, capabilities and addresses. */
export type NodeInfo = {
  /** The operator's address (checksummed). */
  address: Address;
  registered: boolean;
  /** In the registry's active set: at least `minStake` that is not unbonding. */
  active: boolean;
  /** Total stake, in token units. */
  stake: bigint;
  /** Stake locked as bonds of running jobs (slashable). */
  locked: bigint;
  /** Stake being unbonded, withdrawable at `unbondingEnds`. */
  unbonding: bigint;
  /** Unix seconds when `unbonding` can be withdrawn; 0 when nothing unbonds. */
  unbondingEnds: number;
  /** Stake that can still back new bonds: stake - locked - unbonding. */
  freeStake: bigint;
  /** Certification level (0: none); counts only while `certExpiry` is in the future. */
  certLevel: number;
  /** Unix seconds after which `certLevel` no longer counts. */
  certExpiry: number;
  capabilities: NodeCapabilities;
  /** libp2p peer id. */
  peerId: string;
  multiaddrs: string[];
  /** Base URL of the node's HTTP API (logs, outputs); "" when it publishes none. */
  apiUrl: string;
};

/** Reads one operator's entry (registered or not: an unknown address reads as all zeros). */
export async function readNodeInfo(ctx: ArthaReadContext, operator: Address): Promise<NodeInfo> {
  const registry = { address: ctx.deployment.contracts.nodeRegistry, abi: nodeRegistryAbi } as const;
  const [node, meta, active] = await Promise.all([
    ctx.publicClient.readContract({ ...registry, functionName: "getNode", args: [operator] }),
    ctx.publicClient.readContract({ ...registry, functionName: "getNodeMeta", args: [operator] }),
    ctx.publicClient.readContract({ ...registry, functionName: "isActive", args: [operator] }),
  ]);
  return {
    address: getAddress(operator),
    registered: node.registered,
    active,
    stake: node.stake,
    locked: node.locked,
    unbonding: node.unbonding,
    unbondingEnds: node.unbondingEnds,
    freeStake: node.stake - node.locked - node.unbonding,
    certLevel: node.certLevel,
    certExpiry: node.certExpiry,
    capabilities: {
      gpuCount: node.gpuCount,
      vramGbPerGpu: node.vramGbPerGpu,
      cpuCores: node.cpuCores,
      ramGb: node.ramGb,
      runtimeFlags: node.runtimeFlags,
      gpuModel: meta.gpuModel,
    },
    peerId: meta.peerId,
    multiaddrs: [...meta.multiaddrs],
    apiUrl: meta.apiUrl,
  };
}
