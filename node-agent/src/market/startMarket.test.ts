import { type Bid, bidTopic, encodeBid, JobState, type SignedBid, signBid } from "@arthaain/sdk";
import { type BidJobView, type BidNodeView, type GossipNode, validateBid } from "@arthaain/sdk/node";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { BidRejectedError, type Market, startMarket } from "./startMarket.ts";
import { type LoggedLine, startTestGossip, waitFor } from "./testGossip.ts";

// Real libp2p nodes on 127.0.0.1, real gossipsub, the real validateBid over in-memory chain views.
const deployment = { chainId: 31337, jobManager: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address };
const topic = bidTopic(deployment);
// Well-known Hardhat test keys: nothing here is secret.
const alice = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const bob = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const carol = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9f804cdab365a");

const NOW = 1_800_000_000n;
const job = (over: Partial<BidJobView> = {}): BidJobView => ({
  state: JobState.Open,
  maxPrice: 1_000n,
  bidEnd: Number(NOW) + 60,
  gpuCount: 1,
  minVramGb: 16,
  minCertLevel: 0,
  ...over,
});
// Job 1 is open; job 2's bid window closed long ago.
const jobs = new Map<bigint, BidJobView>([
  [1n, job()],
  [2n, job({ bidEnd: Number(NOW) - 600 })],
  [3n, job()],
]);
const node: BidNodeView = {
  registered: true,
  active: true,
  gpuCount: 1,
  vramGbPerGpu: 24,
  certLevel: 0,
  certExpiry: 0,
};

const validate = (bid: SignedBid, context: { lowestSeenPrice: bigint | undefined }) =>
  validateBid({
    ...deployment,
    bid,
    now: NOW,
    // The production budget: bids on these jobs (maxPrice 1000) may ask at most 900.
    verificationBudgetBps: 1_000,
    lookupJob: async (id) => jobs.get(id),
    lookupNode: async () => node,
    ...context,
  });

const sign = (signer: typeof alice, over: Partial<Bid> = {}) =>
  signBid({
    ...deployment,
    signer,
    bid: { jobId: 1n, node: signer.address, price: 500n, etaSeconds: 30, expiresAt: NOW + 600n, ...over },
  });

type Peer = {
  gossip: GossipNode;
  market?: Market;
  logs: LoggedLine[];
};
const running: Peer[] = [];
afterEach(async () => {
  for (const peer of running.splice(0)) {
    await peer.market?.stop();
    await peer.gossip.stop();
  }
});

/** A gossip node, with a market unless `market` is false; `bootstrap` peers are dialled at start. */
async function peer(
  bootstrap: Peer[] = [],
  market: boolean | { maxBidsPerJob: number; maxJobs: number } = true,
): Promise<Peer> {
  const { gossip, log, logs } = await startTestGossip(bootstrap.map((p) => p.gossip));
  const p: Peer = { gossip, logs };
  running.push(p);
  if (market) {
    const caps = market === true ? {} : market;
    p.market = await startMarket({ ...deployment, gossip, validateBid: validate, log, ...caps });
  }
  return p;
}

const subscribers = (p: Peer) => p.gossip.pubsub.getSubscribers(topic).map(String);
const mesh = (p: Peer) => p.gossip.pubsub.getMeshPeers(topic);

/** a (no bootstrap) with b and c bootstrapping to a; returns once a's mesh holds both. */
async function triangle() {
  const a = await peer();
  const b = await peer([a]);
  const c = await peer([a]);
  await waitFor("a's mesh to hold b and c", () => mesh(a).length === 2);
  await waitFor(
    "b and c to mesh with a",
    () => mesh(b).includes(a.gossip.peerId) && mesh(c).includes(a.gossip.peerId),
  );
  return { a, b, c };
}

describe("startMarket over real libp2p nodes", () => {
  it("delivers a published bid to the two other nodes (c through a), where bidsFor shows it", async () => {
    const { a, b, c } = await triangle();
    const bid = await sign(bob);
    const result = await b.market!.publishBid(bid);
    expect(result).toEqual({ published: true, recipients: 1 });
    expect(b.market!.bidsFor(1n)).toEqual([bid]); // recorded locally: gossipsub does not echo our own
    await waitFor(
      "a and c to record the bid",
      () => a.market!.bidsFor(1n).length === 1 && c.market!.bidsFor(1n).length === 1,
    );
    expect(a.market!.bidsFor(1n)).toEqual([bid]);
    expect(c.market!.bidsFor(1n)).toEqual([bid]);

    // Every node ranks the same bids the same way; a node's higher re-bid changes nothing.
    await c.market!.publishBid(await sign(carol, { price: 400n }));
    expect(await b.market!.publishBid(await sign(bob, { price: 900n }))).toMatchObject({
      published: false,
      reason: expect.stringMatching(/^duplicate/),
    });
    await waitFor("all three to hold both bids", () =>
      [a, b, c].every((p) => p.market!.bidsFor(1n).length === 2),
    );
    for (const p of [a, b, c]) {
      expect(p.market!.bidsFor(1n).map((x) => [x.node, x.price])).toEqual([
        [carol.address, 400n],
        [bob.address, 500n],
      ]);
    }
    a.market!.forget(1n);
    expect(a.market!.bidsFor(1n)).toEqual([]);
  });

  it("rejects a forged bid: not recorded, and the sender's score drops below zero", async () => {
    const { a, b } = await triangle();
    const mallory = await peer([a], false);
    await waitFor("mallory to see a's subscription", () => subscribers(mallory).includes(a.gossip.peerId));
    expect(a.gossip.peerScore(mallory.gossip.peerId)).toBeGreaterThanOrEqual(0);
    // Signed by carol, claiming to be alice's bid; published raw (a market would refuse to send it).
    const forged = { ...(await sign(carol, { price: 1n })), node: alice.address };
    await mallory.gossip.pubsub.publish(topic, encodeBid(forged));
    await waitFor("a to score mallory below zero", () => a.gossip.peerScore(mallory.gossip.peerId) < 0);
    expect(a.logs).toContainEqual({
      level: "warn",
      message: "rejected a bid",
      reason: expect.stringMatching(/^bad signature/),
    });
    expect(a.market!.bidsFor(1n)).toEqual([]);
    // Never relayed: b only hears of bids through a.
    expect(b.market!.bidsFor(1n)).toEqual([]);
    expect(b.logs.filter((l) => l.message === "rejected a bid")).toEqual([]);

    // Malformed bytes cost the sender too.
    const before = a.gossip.peerScore(mallory.gossip.peerId);
    await mallory.gossip.pubsub.publish(topic, new TextEncoder().encode("{not a bid"));
    await waitFor("a to score mallory lower still", () => a.gossip.peerScore(mallory.gossip.peerId) < before);
    expect(a.logs).toContainEqual(
      expect.objectContaining({ level: "warn", message: "rejected a malformed bid" }),
    );
  });

  it("does not record a bid its validator finds late", async () => {
    const { a, b } = await triangle();
    // b's chain view may lag; a's does not: the late bid goes out raw, as from a node with a stale clock.
    const late = await sign(bob, { jobId: 2n });
    await b.gossip.pubsub.publish(topic, encodeBid(late));
    await waitFor("a to reject the late bid", () =>
      a.logs.some(
        (l) => l.message === "rejected a bid" && /^late: job 2's bid window ended/.test(l.reason ?? ""),
      ),
    );
    expect(a.market!.bidsFor(2n)).toEqual([]);
    // Scores are cached for a heartbeat: poll.
    await waitFor("a to score b below zero", () => a.gossip.peerScore(b.gossip.peerId) < 0);
    // And b's own market refuses to publish it.
    await expect(b.market!.publishBid(late)).rejects.toThrow(BidRejectedError);
    await expect(b.market!.publishBid(late)).rejects.toThrow(
      /own bid for job 2 would be rejected by peers: late/,
    );
  });

  it("publishes on a lone node without throwing, and refuses a bid with a bad signature", async () => {
    const lone = await peer();
    const bid = await sign(alice);
    expect(await lone.market!.publishBid(bid)).toEqual({ published: true, recipients: 0 });
    expect(lone.market!.bidsFor(1n)).toEqual([bid]);
    await expect(lone.market!.publishBid({ ...(await sign(bob)), price: 1n })).rejects.toThrow(
      /bad signature/,
    );
  });

  it("bounds memory: at most maxBidsPerJob bids, keeping the best", async () => {
    const market = (await peer([], { maxBidsPerJob: 2, maxJobs: 1 })).market!;
    await market.publishBid(await sign(alice, { price: 300n }));
    await market.publishBid(await sign(bob, { price: 200n }));
    expect(await market.publishBid(await sign(carol, { price: 400n }))).toMatchObject({
      published: false,
      reason: "job 1 already has 2 better bids",
    });
    await market.publishBid(await sign(carol, { price: 100n }));
    expect(market.bidsFor(1n).map((b) => b.price)).toEqual([100n, 200n]);
    // A second job evicts the first (maxJobs 1).
    await market.publishBid(await sign(alice, { jobId: 3n }));
    expect(market.bidsFor(1n)).toEqual([]);
    expect(market.bidsFor(3n)).toHaveLength(1);
  });

  it("refuses a second market on the same topic and node; stop leaves the topic", async () => {
    const p = await peer();
    await expect(startMarket({ ...deployment, gossip: p.gossip, validateBid: validate })).rejects.toThrow(
      /already has a validator/,
    );
    await p.market!.stop();
    expect(p.gossip.pubsub.getTopics()).not.toContain(topic);
    await expect(p.market!.publishBid(await sign(alice))).rejects.toThrow(/stopped/);
  });
});
