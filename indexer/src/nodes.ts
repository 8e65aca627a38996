// NodeRegistry: a node's registration, stake, unbonding, certification and activity, each event also a
// line of the node's history. Bond locks and releases emit no events: read them from the chain (getNode).

import { ponder } from "ponder:registry";
import { node, nodeEvent } from "ponder:schema";
import type { NodeCapabilities } from "@arthaain/sdk";
import type { Address } from "viem";
import { type Context, type EventMeta, json, originOf } from "./origin.ts";

async function history(
  context: Context,
  e: EventMeta,
  address: Address,
  name: string,
  amount: bigint | null,
  data: Record<string, unknown> | null = null,
) {
  await context.db.insert(nodeEvent).values({
    id: e.id,
    node: address,
    name,
    jobId: null,
    amount,
    data: data ? json(data) : null,
    ...originOf(e),
  });
}

type Declared = {
  capabilities: NodeCapabilities;
  peerId: string;
  multiaddrs: readonly string[];
  apiUrl: string;
};

const declared = (a: Declared) => ({
  gpuCount: a.capabilities.gpuCount,
  vramGbPerGpu: a.capabilities.vramGbPerGpu,
  cpuCores: a.capabilities.cpuCores,
  ramGb: a.capabilities.ramGb,
  runtimeFlags: BigInt(a.capabilities.runtimeFlags),
  gpuModel: a.capabilities.gpuModel,
  peerId: a.peerId,
  multiaddrs: [...a.multiaddrs],
  apiUrl: a.apiUrl,
});

ponder.on("NodeRegistry:NodeRegistered", async ({ event, context }) => {
  const { operator, stake } = event.args;
  await context.db.insert(node).values({
    address: operator,
    // Registration needs at least the minimum stake, so a new node is active (its ActiveChanged came first).
    active: true,
    stake,
    unbonding: 0n,
    unbondingEnds: 0n,
    certLevel: 0,
    certExpiry: 0n,
    ...declared(event.args),
    claims: 0,
    outbid: 0,
    completed: 0,
    failed: 0,
    slashes: 0,
    slashed: 0n,
    earnings: 0n,
    registeredBlock: event.block.number,
    registeredAt: event.block.timestamp,
    updatedBlock: event.block.number,
  });
  await history(context, event, operator, "NodeRegistered", stake, declared(event.args));
});

ponder.on("NodeRegistry:NodeUpdated", async ({ event, context }) => {
  const { operator } = event.args;
  await context.db
    .update(node, { address: operator })
    .set({ ...declared(event.args), updatedBlock: event.block.number });
  await history(context, event, operator, "NodeUpdated", null, declared(event.args));
});

ponder.on("NodeRegistry:StakeAdded", async ({ event, context }) => {
  const { operator, amount, stake } = event.args;
  await context.db.update(node, { address: operator }).set({ stake, updatedBlock: event.block.number });
  await history(context, event, operator, "StakeAdded", amount, { stake });
});

ponder.on("NodeRegistry:UnstakeRequested", async ({ event, context }) => {
  const { operator, amount, unbonding, unbondingEnds } = event.args;
  await context.db
    .update(node, { address: operator })
    .set({ unbonding, unbondingEnds, updatedBlock: event.block.number });
  await history(context, event, operator, "UnstakeRequested", amount, { unbonding, unbondingEnds });
});

ponder.on("NodeRegistry:StakeWithdrawn", async ({ event, context }) => {
  const { operator, amount, stake } = event.args;
  await context.db
    .update(node, { address: operator })
    .set({ stake, unbonding: 0n, unbondingEnds: 0n, updatedBlock: event.block.number });
  await history(context, event, operator, "StakeWithdrawn", amount, { stake });
});

ponder.on("NodeRegistry:CertificationSet", async ({ event, context }) => {
  const { operator, level, expiry, certifier } = event.args;
  await context.db
    .update(node, { address: operator })
    .set({ certLevel: level, certExpiry: expiry, updatedBlock: event.block.number });
  await history(context, event, operator, "CertificationSet", null, { level, expiry, certifier });
});

ponder.on("NodeRegistry:Slashed", async ({ event, context }) => {
  const { operator, amount, to, stake } = event.args;
  await context.db.update(node, { address: operator }).set((row) => ({
    stake,
    slashes: row.slashes + 1,
    slashed: row.slashed + amount,
    updatedBlock: event.block.number,
  }));
  await history(context, event, operator, "Slashed", amount, { to, stake });
});

ponder.on("NodeRegistry:ActiveChanged", async ({ event, context }) => {
  const { operator, active } = event.args;
  // At registration it precedes NodeRegistered, which creates the row (active).
  if (await context.db.find(node, { address: operator })) {
    await context.db.update(node, { address: operator }).set({ active, updatedBlock: event.block.number });
  }
  await history(context, event, operator, "ActiveChanged", null, { active });
});
