// getNode and listNodes against NodeRegistry on an in-process Hardhat chain, deployed by the Ignition module.
import { getAddress } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, TOKEN } from "../../../../scripts/lib/artha.ts";
import type { ArthaReadContext } from "../../client/context.ts";
import { getNode } from "./getNode.ts";
import { listNodes } from "./listNodes.ts";

let a: Artha;
let ctx: ArthaReadContext;
// small: 1 GPU (the helper's RTX 4090); big: 4 A100s, certified level 2; mid: 2 GPUs, level 1 that
// expires during the tests; gone: no GPU, all its stake unbonding (inactive).
let small: `0x${string}`;
let big: `0x${string}`;
let mid: `0x${string}`;
let gone: `0x${string}`;
let midCertExpiry: number;
let goneUnbondingEnds: number;

beforeAll(async () => {
  a = await deployArtha();
  const [w0, w1, w2, w3] = a.operators;
  small = getAddress(await a.registerNode(w0!, { gpuCount: 1, vramGb: 24 }));
  big = getAddress(await a.registerNode(w1!, { gpuCount: 4, vramGb: 80, stake: 5_000n * TOKEN }));
  mid = getAddress(await a.registerNode(w2!, { gpuCount: 2, vramGb: 48 }));
  gone = getAddress(await a.registerNode(w3!, { gpuCount: 0, vramGb: 0 }));

  const asBig = await a.as(a.nodeRegistry, w1!);
  await a.mined(
    asBig.write.update([
      {
        capabilities: {
          gpuCount: 4,
          vramGbPerGpu: 80,
          cpuCores: 64,
          ramGb: 512,
          runtimeFlags: 3,
          gpuModel: "NVIDIA A100-SXM4-80GB",
        },
        peerId: "12D3KooWbig",
        multiaddrs: ["/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/udp/4001/quic-v1"],
        apiUrl: "http://127.0.0.1:8601",
      },
    ]),
  );
  const now = await a.time.latest();
  midCertExpiry = now + 600;
  await a.mined(a.nodeRegistry.write.certify([big, 2, now + 86_400]));
  await a.mined(a.nodeRegistry.write.certify([mid, 1, midCertExpiry]));
  const unstake = await a.mined((await a.as(a.nodeRegistry, w3!)).write.requestUnstake([1_000n * TOKEN]));
  const unstakeBlock = await a.publicClient.getBlock({ blockNumber: unstake.blockNumber });
  goneUnbondingEnds = Number(unstakeBlock.timestamp) + Number(a.params.unbondingDelay);

  ctx = a.sdkContext();
});

const addresses = (nodes: { address: string }[]) => nodes.map((n) => n.address);

describe("getNode", () => {
  it("reads stake, certification, capabilities and addresses as registered and updated", async () => {
    const node = await getNode(ctx, { address: big.toLowerCase() as `0x${string}` });
    expect(node).toMatchObject({
      address: big,
      registered: true,
      active: true,
      stake: 5_000n * TOKEN,
      locked: 0n,
      unbonding: 0n,
      unbondingEnds: 0,
      freeStake: 5_000n * TOKEN,
      certLevel: 2,
      capabilities: {
        gpuCount: 4,
        vramGbPerGpu: 80,
        cpuCores: 64,
        ramGb: 512,
        runtimeFlags: 3,
        gpuModel: "NVIDIA A100-SXM4-80GB",
      },
      peerId: "12D3KooWbig",
      multiaddrs: ["/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/udp/4001/quic-v1"],
      apiUrl: "http://127.0.0.1:8601",
    });
    expect(node.certExpiry).toBeGreaterThan(await a.time.latest());
  });

  it("shows a node whose whole stake unbonds as registered but inactive, with nothing free", async () => {
    const node = await getNode(ctx, { address: gone });
    expect([node.registered, node.active, node.stake, node.unbonding, node.freeStake]).toEqual([
      true,
      false,
      1_000n * TOKEN,
      1_000n * TOKEN,
      0n,
    ]);
    expect(node.unbondingEnds).toBe(goneUnbondingEnds);
  });

  it("refuses an address that never registered, naming it", async () => {
    const stranger = getAddress(a.operators[9]!.account.address);
    await expect(getNode(ctx, { address: stranger })).rejects.toThrow(
      new RegExp(`${stranger} is not a registered node`),
    );
  });
});

describe("listNodes", () => {
  it("lists every registered node, oldest registration first", async () => {
    const all = await listNodes(ctx);
    expect(addresses(all)).toEqual([small, big, mid, gone]);
    expect(all[0]!.capabilities.gpuModel).toBe("NVIDIA GeForce RTX 4090");
  });

  it("filters by activity, GPU count, VRAM and GPU model", async () => {
    expect(addresses(await listNodes(ctx, { active: true }))).toEqual([small, big, mid]);
    expect(addresses(await listNodes(ctx, { active: false }))).toEqual([gone]);
    expect(addresses(await listNodes(ctx, { minGpus: 2 }))).toEqual([big, mid]);
    expect(addresses(await listNodes(ctx, { minVramGb: 48 }))).toEqual([big, mid]);
    expect(addresses(await listNodes(ctx, { minVramGb: 49 }))).toEqual([big]);
    expect(addresses(await listNodes(ctx, { gpuModel: "a100" }))).toEqual([big]);
    expect(addresses(await listNodes(ctx, { gpuModel: "RTX 4090", active: true }))).toEqual([small, mid]);
    expect(await listNodes(ctx, { gpuModel: "H100" })).toEqual([]);
  });

  it("pages the filtered list with offset and limit", async () => {
    expect(addresses(await listNodes(ctx, { limit: 2 }))).toEqual([small, big]);
    expect(addresses(await listNodes(ctx, { offset: 1, limit: 2 }))).toEqual([big, mid]);
    expect(addresses(await listNodes(ctx, { active: true, offset: 2 }))).toEqual([mid]);
    expect(await listNodes(ctx, { offset: 10 })).toEqual([]);
    expect(await listNodes(ctx, { limit: 0 })).toEqual([]);
    await expect(listNodes(ctx, { offset: -1 })).rejects.toThrow(/offset/);
  });

  it("counts a certification only until its expiry, by chain time", async () => {
    expect(addresses(await listNodes(ctx, { minCertLevel: 1 }))).toEqual([big, mid]);
    expect(addresses(await listNodes(ctx, { minCertLevel: 2 }))).toEqual([big]);
    await a.timeTo(midCertExpiry + 1);
    expect(addresses(await listNodes(ctx, { minCertLevel: 1 }))).toEqual([big]);
    // The level itself is still on record; only its expiry passed.
    expect((await getNode(ctx, { address: mid })).certLevel).toBe(1);
  });

  it("scans only the last maxScanBlocks blocks for registrations", async () => {
    await a.conn.networkHelpers.mine(1);
    expect(await listNodes({ ...ctx, maxScanBlocks: 1 })).toEqual([]);
    expect(addresses(await listNodes({ ...ctx, maxScanBlocks: 1_000 }))).toEqual([small, big, mid, gone]);
  });
});
