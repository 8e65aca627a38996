import {
  type BallotMessage,
  ballotTopic,
  encodeVerifierMessage,
  signVerificationVote,
  type VerifierDraw,
} from "@arthaain/sdk";
import type { GossipNode } from "@arthaain/sdk/node";
import { type Address, createWalletClient, custom, type Hex, type LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { type BallotBox, startBallots } from "./startBallots.ts";
import { type LoggedLine, startTestGossip, waitFor } from "./testGossip.ts";

// Real libp2p nodes on 127.0.0.1, real gossipsub, ballots signed by the SDK; the draw is given in memory.
const deployment = {
  chainId: 31337,
  proofOfCompute: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" as Address,
};
const topic = ballotTopic(deployment);
// Well-known Hardhat test keys: nothing here is secret.
const alice = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const bob = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const carol = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9f804cdab365a");
const dave = privateKeyToAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");

/** Job 1's dispute, round 1: alice, bob and carol drawn at places 0, 1 and 3 (dave is not drawn). */
const draw: VerifierDraw = {
  jobId: 1n,
  blockNumber: 100n,
  round: 1,
  worker: dave.address,
  challenger: "0x0000000000000000000000000000000000000000",
  seed: 42n,
  seedStatus: "fixed",
  seedBlock: 90n,
  openedAt: 1_800_000_000n,
  commitEnd: 1_800_003_600n,
  revealEnd: 1_800_007_200n,
  commits: 0,
  agree: 0,
  disagree: 0,
  k: 3,
  verifiers: [
    { address: alice.address, index: 0n },
    { address: bob.address, index: 1n },
    { address: carol.address, index: 3n },
  ],
};
const indexOf = (a: LocalAccount) => draw.verifiers.find((x) => x.address === a.address)?.index ?? 2n;
const root = `0x${"ab".repeat(32)}` as Hex;
const saltOf = (a: LocalAccount) => `0x${a.address.slice(2, 34).toLowerCase().padEnd(64, "0")}` as Hex;

/** `a`'s signed vote on job 1 (round 1 unless told), through the SDK with a local account. */
const vote = (a: LocalAccount, o: { result?: Hex; round?: number } = {}) =>
  signVerificationVote(
    {
      deployment: { chainId: deployment.chainId, contracts: { proofOfCompute: deployment.proofOfCompute } },
      // Signing with a local account never reaches the transport.
      walletClient: createWalletClient({
        account: a,
        transport: custom({ request: () => Promise.reject(new Error("no RPC in this test")) }),
      }),
    } as never,
    {
      jobId: 1n,
      round: o.round ?? 1,
      index: indexOf(a),
      result: o.result ?? root,
      agrees: true,
      salt: saltOf(a),
    },
  );
const ballotOf = async (a: LocalAccount, o: { result?: Hex; round?: number } = {}) => {
  const v = await vote(a, o);
  return {
    type: "ballot",
    jobId: 1n,
    round: v.round,
    index: v.index,
    verifier: v.verifier,
    ...pick(v),
  } as const;
};
const pick = ({ commitment, r, vs }: { commitment: Hex; r: Hex; vs: Hex }) => ({ commitment, r, vs });
const revealOf = (a: LocalAccount, result: Hex = root) =>
  ({
    type: "reveal",
    jobId: 1n,
    round: 1,
    verifier: a.address,
    result,
    agrees: true,
    salt: saltOf(a),
  }) as const;

type Peer = {
  gossip: GossipNode;
  box: BallotBox;
  logs: LoggedLine[];
};
const running: Peer[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    await p.box.stop();
    await p.gossip.stop();
  }
});

async function peer(bootstrap: Peer[] = [], republishMs = 60_000): Promise<Peer> {
  const { gossip, log, logs } = await startTestGossip(bootstrap.map((p) => p.gossip));
  const box = await startBallots({
    ...deployment,
    gossip,
    log,
    republishMs,
    lookupDraw: async (jobId) => (jobId === 1n ? draw : undefined),
  });
  const p = { gossip, box, logs };
  running.push(p);
  return p;
}

const mesh = (p: Peer) => p.gossip.pubsub.getMeshPeers(topic);
const held = (p: Peer) => p.box.votes(1n, 1).map((x) => [x.ballot.verifier, x.reveal?.result]);

async function triangle() {
  const a = await peer();
  const b = await peer([a]);
  const c = await peer([a]);
  await waitFor("a's mesh to hold b and c", () => mesh(a).length === 2);
  await waitFor("b and c to mesh with a", () => mesh(b).length === 1 && mesh(c).length === 1);
  return { a, b, c };
}

describe("startBallots over real libp2p nodes", () => {
  it("spreads three verifiers' ballots, then their reveals, to every node (c through a)", async () => {
    const { a, b, c } = await triangle();
    const nodes = [a, b, c];
    const signers = [alice, bob, carol];
    for (const [i, p] of nodes.entries()) await p.box.share(await ballotOf(signers[i]!));
    await waitFor("every node to hold three ballots", () =>
      nodes.every((p) => p.box.votes(1n, 1).length === 3),
    );
    for (const p of nodes) {
      expect(held(p).sort()).toEqual(signers.map((s) => [s.address, undefined]).sort());
    }
    for (const [i, p] of nodes.entries()) await p.box.share(revealOf(signers[i]!));
    await waitFor("every node to hold three reveals", () =>
      nodes.every((p) => p.box.votes(1n, 1).every((x) => x.reveal)),
    );
    for (const p of nodes) expect(held(p).sort()).toEqual(signers.map((s) => [s.address, root]).sort());
    // Another round's votes are apart; forget drops the job.
    expect(a.box.votes(1n, 2)).toEqual([]);
    a.box.forget(1n);
    expect(a.box.votes(1n, 1)).toEqual([]);
  });

  it("rejects a forged ballot and a reveal that does not open its ballot, and ignores an undrawn verifier", async () => {
    const { a, b } = await triangle();
    const mallory = await peer([a]);
    await waitFor("a to mesh with mallory", () => mesh(a).includes(mallory.gossip.peerId));
    // Signed by carol, claiming to be alice's ballot, published raw (share would record it as ours).
    const forged = { ...(await ballotOf(carol)), verifier: alice.address, index: 0n, sentAt: 1 };
    await mallory.gossip.pubsub.publish(topic, encodeVerifierMessage(forged));
    await waitFor("a to score mallory below zero", () => a.gossip.peerScore(mallory.gossip.peerId) < 0);
    expect(a.logs).toContainEqual({
      level: "warn",
      message: "rejected",
      reason: `not signed by ${alice.address}`,
    });
    expect(a.box.votes(1n, 1)).toEqual([]);

    // dave signs correctly but is not drawn: ignored, at no cost to bob, who relays it.
    await b.gossip.pubsub.publish(topic, encodeVerifierMessage({ ...(await ballotOf(dave)), sentAt: 1 }));
    await waitFor("a to ignore dave's ballot", () =>
      a.logs.some((l) => l.reason === `${dave.address} is not the verifier drawn at place 2`),
    );
    expect(a.gossip.peerScore(b.gossip.peerId)).toBeGreaterThanOrEqual(0);

    // bob's ballot, then a reveal with another result: it does not open the ballot.
    await b.box.share(await ballotOf(bob));
    await waitFor("a to hold bob's ballot", () => a.box.votes(1n, 1).length === 1);
    const other = `0x${"cd".repeat(32)}` as Hex;
    await mallory.gossip.pubsub.publish(topic, encodeVerifierMessage({ ...revealOf(bob, other), sentAt: 1 }));
    await waitFor("a to reject the false reveal", () =>
      a.logs.some((l) => l.reason === `does not open ${bob.address}'s ballot`),
    );
    expect(held(a)).toEqual([[bob.address, undefined]]);
    // Our own reveal must open our ballot too.
    await expect(b.box.share(revealOf(bob, other))).rejects.toThrow(/does not open our ballot/);

    // Malformed bytes cost the sender.
    const before = a.gossip.peerScore(mallory.gossip.peerId);
    await mallory.gossip.pubsub.publish(topic, new TextEncoder().encode('{"type":"ballot"}'));
    await waitFor("a to score mallory lower still", () => a.gossip.peerScore(mallory.gossip.peerId) < before);
    expect(a.logs).toContainEqual(
      expect.objectContaining({ level: "warn", message: "rejected a malformed verifier message" }),
    );
  });

  it("drops an equivocating verifier: two different ballots in one round", async () => {
    const { a, b } = await triangle();
    await b.box.share(await ballotOf(alice));
    await waitFor("a to hold alice's ballot", () => a.box.votes(1n, 1).length === 1);
    const second = await ballotOf(alice, { result: `0x${"ee".repeat(32)}` as Hex });
    await b.gossip.pubsub.publish(topic, encodeVerifierMessage({ ...second, sentAt: 2 }));
    await waitFor("a to reject the second ballot", () =>
      a.logs.some((l) => l.reason === `${alice.address} signed a second, different ballot for round 1`),
    );
    expect(a.box.votes(1n, 1)).toEqual([]);
    // Its first ballot, sent again, is not taken back either.
    await b.gossip.pubsub.publish(topic, encodeVerifierMessage({ ...(await ballotOf(alice)), sentAt: 3 }));
    await waitFor("a to ignore it", () =>
      a.logs.some((l) => l.reason === `${alice.address} signed two ballots in this round`),
    );
    expect(a.box.votes(1n, 1)).toEqual([]);
  });

  it("republishes our ballot until forgotten, so a node that joins later still gets it", async () => {
    const a = await peer([], 300);
    const ballot: BallotMessage = { ...(await ballotOf(alice)), sentAt: 0 };
    await a.box.share(ballot);
    const late = await peer([a]);
    await waitFor("the late node to get alice's ballot", () => late.box.votes(1n, 1).length === 1);
    expect(late.box.votes(1n, 1)[0]!.ballot).toMatchObject({
      verifier: alice.address,
      commitment: ballot.commitment,
    });
    a.box.forget(1n);
    late.box.forget(1n);
    await new Promise((r) => setTimeout(r, 1000));
    expect(late.box.votes(1n, 1)).toEqual([]);
  });

  it("refuses a second box on the same node; stop leaves the topic", async () => {
    const p = await peer();
    await expect(
      startBallots({ ...deployment, gossip: p.gossip, lookupDraw: async () => undefined }),
    ).rejects.toThrow(/already has a validator/);
    await p.box.stop();
    expect(p.gossip.pubsub.getTopics()).not.toContain(topic);
    await expect(p.box.share(await ballotOf(alice))).rejects.toThrow(/stopped/);
  });
});
