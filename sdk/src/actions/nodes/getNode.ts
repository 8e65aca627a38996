import type { Address } from "viem";
import type { ArthaReadContext } from "../../client/context.ts";
import { type NodeInfo, readNodeInfo } from "./nodeInfo.ts";

export type GetNodeParameters = { address: Address };

/**
 * A registered node's current state from NodeRegistry: stake, bonds, certification, capabilities, peer
 * id, multiaddrs and API URL. Throws, naming the address, when it is not registered.
 */
export async function getNode(ctx: ArthaReadContext, { address }: GetNodeParameters): Promise<NodeInfo> {
  const info = await readNodeInfo(ctx, address);
  if (!info.registered) {
    throw new Error(
      `${address} is not a registered node on the node registry at ${ctx.deployment.contracts.nodeRegistry}`,
    );
  }
  return info;
}
