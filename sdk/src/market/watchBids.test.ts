// watchBids against a real chain (in-process Hardhat with the contracts deployed) and real libp2p nodes on
// 127.0.0.1: an "agent" gossip node publishes signed bids, the watcher joins through it and yields the
// valid bids for its job only.
import { type Address, getAddress } from "viem";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, TOKEN } from "../../../scripts/lib/artha.ts";
import type { Bid, SignedBid } from "./bid.ts";
import { bidTopic } from "./bid.ts";
import { encodeBid } from "./encodeBid.ts";
import { type GossipNode, startGossip } from "./gossip/startGossip.ts";
import { signBid } from "./signBid.ts";
import { joinBidGossip, type VerifiedBid, watchBids } from "./watchBids.node.ts";

let a: Artha;
let topic: string;
let operators: Address[];
const agents: GossipNode[] = [];

beforeAll(async () => {
  // The production verification budget: a job of maxPrice 100 can be claimed at 90 at most.
  a = await deployArtha({ minBidWindow: 5, verificationBudgetBps: 1_000 });
  topic = bidTopic({ chainId: a.deployment.chainId, jobManager: a.jobManager.address });
  operators = [
    await a.registerNode(a.operators[0]!),
    await a.registerNode(a.operators[1]!),
    // Registered but with too little VRAM for the jobs below (minVramGb 16): its bids are not eligible.
    await a.registerNode(a.operators[2]!, { vramGb: 8 }),
  ].map((x) => getAddress(x));
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((g) => g.stop()));
});

async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An agent's gossip node, subscribed to the bid topic (so it relays), with a fast heartbeat. */
async function agent(): Promise<GossipNode> {
  const gossip = await startGossip({ gossipsub: { heartbeatInterval: 200 } });
  gossip.pubsub.subscribe(topic);
  agents.push(gossip);
  return gossip;
}

async function openJob(bidWindow = 120) {
  const { jobId } = await a.submitJob(a.jobRequest({ bidWindow, maxPrice: 100n * TOKEN }));
  return { jobId, record: await a.record(jobId) };
}

async function bid(operator: number, over: Partial<Bid> & { jobId: bigint }): Promise<SignedBid> {
  const wallet = a.operators[operator]!;
  const now = BigInt((await a.publicClient.getBlock()).timestamp);
  return signBid({
    chainId: a.deployment.chainId,
    jobManager: a.jobManager.address,
    signer: wallet,
    bid: { node: wallet.account.address, price: 40n * TOKEN, etaSeconds: 30, expiresAt: now + 600n, ...over },
  });
}

/** Starts watching `jobId` through `via`, collecting bids and rejections until the watch ends. */
function watch(jobId: bigint, via: GossipNode) {
  const controller = new AbortController();
  const bids: VerifiedBid[] = [];
  const rejects: { reason: string; from: string }[] = [];
  let ended = false;
  const done = (async () => {
    for await (const b of watchBids(a.sdkContext(), {
      jobId,
      bootstrap: via.multiaddrs(),
      signal: controller.signal,
      pollingIntervalMs: 50,
      gossip: { gossipsub: { heartbeatInterval: 200 } },
      onReject: (r) => rejects.push(r),
    })) {
      bids.push(b);
    }
    ended = true;
  })();
  return { bids, rejects, done, abort: () => controller.abort(), ended: () => ended };
}

/** Waits until the watcher's node is in `via`'s mesh for the topic, so a publish reaches it. */
const meshed = (via: GossipNode) =>
  waitFor("the watcher to join the agent's mesh", () => via.pubsub.getMeshPeers(topic).length > 0);

const publish = (via: GossipNode, b: SignedBid) => via.pubsub.publish(topic, encodeBid(b));

describe("watchBids", () => {
  it("yields the job's valid bids once each, in arrival order, and rejects or ignores the rest", async () => {
    const { jobId } = await openJob();
    const { jobId: otherJob } = await openJob();
    const via = await agent();
    const w = watch(jobId, via);
    await meshed(via);

    const first = await bid(0, { jobId, price: 40n * TOKEN });
    await publish(via, first);
    await waitFor("the first bid", () => w.bids.length === 1);
    expect(w.bids[0]).toMatchObject({
      jobId,
      node: operators[0],
      price: 40n * TOKEN,
      signature: first.signature,
      from: via.peerId,
    });
    expect(w.bids[0]!.receivedAt).toBeInstanceOf(Date);

    // A valid bid for another job is none of this watch's business; a higher re-bid is no news.
    await publish(via, await bid(1, { jobId: otherJob, price: 10n * TOKEN }));
    await publish(via, await bid(0, { jobId, price: 45n * TOKEN }));
    // A lower re-bid from the same node, and a second node's bid, are news.
    await publish(via, await bid(0, { jobId, price: 35n * TOKEN }));
    await waitFor("the lower re-bid", () => w.bids.length === 2);
    await publish(via, await bid(1, { jobId, price: 38n * TOKEN }));
    await waitFor("the re-bid and the second node's bid", () => w.bids.length === 3);
    expect(w.bids.map((b) => [b.node, b.price])).toEqual([
      [operators[0], 40n * TOKEN],
      [operators[0], 35n * TOKEN],
      [operators[1], 38n * TOKEN],
    ]);
    expect(w.bids.every((b) => b.jobId === jobId)).toBe(true);

    // Each of these is judged invalid: the watcher says why, and yields nothing. (Last, because rejected
    // bids lower the relaying peer's score: after three the watcher stops listening to it.)
    const forged = { ...(await bid(1, { jobId })), node: operators[0]! };
    const invalid: [SignedBid, RegExp][] = [
      [forged, /signature/i],
      // (From a node with no bid yet: a node's re-bid not below its last is ignored before anything else.)
      // Within maxPrice (100) but above the claim cap (90): the contract would refuse its claim.
      [await bid(2, { jobId, price: 95n * TOKEN }), /above job \d+'s claim cap 90000000 /],
      [await bid(2, { jobId }), /GB per GPU; job \d+ needs 16 GB/],
    ];
    for (const [b, reason] of invalid) {
      const before = w.rejects.length;
      await publish(via, b).catch(() => undefined);
      await waitFor(`a rejection matching ${reason}`, () => w.rejects.length > before);
      expect(w.rejects.at(-1)!.reason).toMatch(reason);
      expect(w.rejects.at(-1)!.from).toBe(via.peerId);
    }

    w.abort();
    await w.done;
    expect(w.bids).toHaveLength(3);
  });

  it("ends by itself when the job is cancelled", async () => {
    const { jobId } = await openJob();
    const via = await agent();
    const w = watch(jobId, via);
    await meshed(via);
    await publish(via, await bid(1, { jobId, price: 20n * TOKEN }));
    await waitFor("the bid", () => w.bids.length === 1);
    await a.cancel(jobId);
    await waitFor("the watch to end", w.ended, 10_000);
    await w.done;
    expect(w.bids.map((b) => b.price)).toEqual([20n * TOKEN]);
  });

  it("ends by itself when chain time passes the claim window", async () => {
    const { jobId, record } = await openJob(10);
    const via = await agent();
    const w = watch(jobId, via);
    await meshed(via);
    await a.timeTo(BigInt(record.bidEnd) + BigInt(a.params.claimWindow) + 1n);
    await a.mined(a.token.write.mint([operators[0]!, 1n])); // a block at the new time
    await waitFor("the watch to end", w.ended, 10_000);
    await w.done;
    expect(w.bids).toEqual([]);
  });

  it("watches through the caller's node, joined before the job existed, and leaves it running", async () => {
    const via = await agent();
    const node = await joinBidGossip(a.sdkContext(), {
      bootstrap: via.multiaddrs(),
      gossip: { gossipsub: { heartbeatInterval: 200 } },
    });
    agents.push(node);
    await waitFor("the caller's node to connect", () => node.connectedPeers().includes(via.peerId));
    const { jobId } = await openJob();
    const controller = new AbortController();
    const bids: VerifiedBid[] = [];
    const done = (async () => {
      for await (const b of watchBids(a.sdkContext(), { jobId, node, signal: controller.signal }))
        bids.push(b);
    })();
    // Subscribed over the open connection: the agent knows it at once, with no mesh yet (flood publish).
    await waitFor("the agent to see the subscription", () =>
      via.pubsub.getSubscribers(topic).map(String).includes(node.peerId),
    );
    await publish(via, await bid(0, { jobId, price: 30n * TOKEN }));
    await waitFor("the bid", () => bids.length === 1);
    controller.abort();
    await done;
    expect(node.connectedPeers()).toContain(via.peerId);
    expect(node.pubsub.getTopics()).not.toContain(topic);
  });

  it("returns at once, starting no node, for a job that is no longer in auction", async () => {
    const { jobId } = await openJob();
    await a.cancel(jobId);
    const started = Date.now();
    const seen: VerifiedBid[] = [];
    for await (const b of watchBids(a.sdkContext(), { jobId })) seen.push(b);
    expect(seen).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("throws for a job that does not exist", async () => {
    const next = watchBids(a.sdkContext(), { jobId: 10_000n }).next();
    await expect(next).rejects.toThrow(/10000/);
  });
});
