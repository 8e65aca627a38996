import { type Address, createWalletClient, custom, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { type Bid, bidDomain, bidTopic, type SignedBid } from "./bid.ts";
import { BidFormatError, decodeBid } from "./decodeBid.ts";
import { encodeBid, MAX_BID_BYTES } from "./encodeBid.ts";
import { rankBids } from "./rankBids.ts";
import { signBid } from "./signBid.ts";
import { recoverBidSigner, verifyBid } from "./verifyBid.ts";

const deployment = { chainId: 31337, jobManager: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address };
// Well-known Hardhat test keys: nothing here is secret.
const alice = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const bob = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

const bidOf = (node: Address, over: Partial<Bid> = {}): Bid => ({
  jobId: 7n,
  node,
  price: 1_000n,
  etaSeconds: 60,
  expiresAt: 1_900_000_000n,
  ...over,
});

const utf8 = new TextEncoder();
const wire = (value: unknown) => utf8.encode(JSON.stringify(value));

describe("bid domain and topic", () => {
  it("binds the domain to the chain and job manager", () => {
    expect(bidDomain(deployment)).toEqual({
      name: "ArthaAIN",
      version: "1",
      chainId: 31337,
      verifyingContract: deployment.jobManager,
    });
  });
  it("names the topic after the deployment, address lowercased", () => {
    expect(bidTopic(deployment)).toBe("artha/31337/0x5fbdb2315678afecb367f032d93f642f64180aa3/bids/1");
  });
});

describe("signBid / verifyBid", () => {
  it("round-trips with a local account", async () => {
    const signed = await signBid({ ...deployment, signer: alice, bid: bidOf(alice.address) });
    expect(signed.signature).toMatch(/^0x[0-9a-f]{130}$/);
    expect(await recoverBidSigner({ ...deployment, bid: signed })).toBe(alice.address);
    expect(await verifyBid({ ...deployment, bid: signed })).toBe(true);
  });

  it("signs with a wallet client's account too", async () => {
    const client = createWalletClient({
      account: bob,
      transport: custom({
        request: async () => {
          throw new Error("no RPC: a local account signs in process");
        },
      }),
    });
    const signed = await signBid({ ...deployment, signer: client, bid: bidOf(bob.address) });
    expect(await verifyBid({ ...deployment, bid: signed })).toBe(true);
  });

  it("refuses to sign a bid for another node", async () => {
    await expect(signBid({ ...deployment, signer: alice, bid: bidOf(bob.address) })).rejects.toThrow(
      /bid\.node is 0x7099.*signer is 0xf39F/,
    );
  });

  it("fails verification when any field is tampered with", async () => {
    const signed = await signBid({ ...deployment, signer: alice, bid: bidOf(alice.address) });
    const tampered: SignedBid[] = [
      { ...signed, jobId: 8n },
      { ...signed, node: bob.address },
      { ...signed, price: 999n },
      { ...signed, etaSeconds: 61 },
      { ...signed, expiresAt: signed.expiresAt + 1n },
      {
        ...signed,
        signature:
          `${signed.signature.slice(0, 10)}${signed.signature[10] === "0" ? "1" : "0"}${signed.signature.slice(11)}` as Hex,
      },
    ];
    for (const bid of tampered) expect(await verifyBid({ ...deployment, bid })).toBe(false);
  });

  it("fails verification on another chain or job manager (no replay across deployments)", async () => {
    const signed = await signBid({ ...deployment, signer: alice, bid: bidOf(alice.address) });
    expect(await verifyBid({ ...deployment, chainId: 1, bid: signed })).toBe(false);
    expect(
      await verifyBid({
        ...deployment,
        jobManager: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        bid: signed,
      }),
    ).toBe(false);
  });

  it("returns false, not an exception, for an unrecoverable signature", async () => {
    const signed = await signBid({ ...deployment, signer: alice, bid: bidOf(alice.address) });
    expect(await verifyBid({ ...deployment, bid: { ...signed, signature: `0x${"00".repeat(65)}` } })).toBe(
      false,
    );
  });
});

describe("encodeBid / decodeBid", () => {
  it("round-trips, with lowercase hex on the wire", async () => {
    const signed = await signBid({
      ...deployment,
      signer: alice,
      bid: bidOf(alice.address, { price: 2n ** 96n - 1n }),
    });
    const bytes = encodeBid(signed);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(`"node":"${alice.address.toLowerCase()}"`);
    expect(text).toContain(`"price":"${2n ** 96n - 1n}"`);
    expect(decodeBid(bytes)).toEqual(signed);
    expect(await verifyBid({ ...deployment, bid: decodeBid(bytes) })).toBe(true);
  });

  const good = {
    jobId: "7",
    node: alice.address.toLowerCase(),
    price: "1000",
    etaSeconds: 60,
    expiresAt: "1900000000",
    signature: `0x${"ab".repeat(65)}`,
  };

  const cases: [string, Uint8Array, string, RegExp][] = [
    ["non-JSON", utf8.encode("{not json"), "message", /a JSON object/],
    ["a JSON array", wire([1, 2]), "message", /a JSON object, got an array/],
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0x7d]), "message", /UTF-8/],
    ["oversize", utf8.encode(" ".repeat(MAX_BID_BYTES + 1)), "message", /at most 1024 bytes/],
    ["missing jobId", wire({ ...good, jobId: undefined }), "jobId", /missing field/],
    ["jobId as a number", wire({ ...good, jobId: 7 }), "jobId", /uint64 as a decimal string, got number 7/],
    ["negative price", wire({ ...good, price: "-1" }), "price", /decimal string/],
    ["hex price", wire({ ...good, price: "0x10" }), "price", /decimal string/],
    ["leading zero", wire({ ...good, price: "010" }), "price", /decimal string/],
    ["price over uint96", wire({ ...good, price: (2n ** 96n).toString() }), "price", /at most/],
    ["jobId over uint64", wire({ ...good, jobId: (2n ** 64n).toString() }), "jobId", /at most/],
    ["expiresAt over uint64", wire({ ...good, expiresAt: (2n ** 64n).toString() }), "expiresAt", /at most/],
    ["fractional eta", wire({ ...good, etaSeconds: 1.5 }), "etaSeconds", /JSON integer/],
    ["eta over uint32", wire({ ...good, etaSeconds: 2 ** 32 }), "etaSeconds", /at most 4294967295/],
    ["short address", wire({ ...good, node: "0x1234" }), "node", /20-byte hex address/],
    ["address not hex", wire({ ...good, node: `0x${"zz".repeat(20)}` }), "node", /20-byte hex address/],
    ["64-byte signature", wire({ ...good, signature: `0x${"ab".repeat(64)}` }), "signature", /65-byte/],
    ["signature without 0x", wire({ ...good, signature: "ab".repeat(65) }), "signature", /65-byte/],
    ["extra field", wire({ ...good, tip: "1" }), "tip", /no such field/],
  ];
  for (const [name, bytes, field, message] of cases) {
    it(`rejects ${name}, naming the field "${field}"`, () => {
      let error: unknown;
      try {
        decodeBid(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BidFormatError);
      expect((error as BidFormatError).field).toBe(field);
      expect((error as BidFormatError).message).toMatch(message);
    });
  }

  it("accepts the well-formed sample (the cases above fail only on their own field)", () => {
    expect(decodeBid(wire(good)).jobId).toBe(7n);
  });
});

describe("rankBids", () => {
  const low = "0x1000000000000000000000000000000000000001" as Address;
  const mid = "0xaBcDEF0000000000000000000000000000000002" as Address;
  const high = "0xFFFF000000000000000000000000000000000003" as Address;

  it("orders by price, then by lowercase node address", () => {
    const ranked = rankBids([
      bidOf(high, { price: 100n }),
      bidOf(mid, { price: 100n }),
      bidOf(low, { price: 200n }),
    ]);
    expect(ranked.map((b) => b.node)).toEqual([mid, high, low]);
  });

  it("breaks ties by address whatever the case of the hex", () => {
    const upper = "0xABCDEF0000000000000000000000000000000001" as Address;
    const lower = "0xabcdee0000000000000000000000000000000009" as Address;
    expect(rankBids([bidOf(upper), bidOf(lower)]).map((b) => b.node)).toEqual([lower, upper]);
  });

  it("counts a node once, at its lowest price, whatever the arrival order", () => {
    const bids = [bidOf(low, { price: 150n }), bidOf(mid, { price: 120n }), bidOf(low, { price: 90n })];
    for (const order of [bids, [...bids].reverse()]) {
      const ranked = rankBids(order);
      expect(ranked.map((b) => [b.node, b.price])).toEqual([
        [low, 90n],
        [mid, 120n],
      ]);
    }
  });

  it("keeps a node at its lowest price when it re-bids higher", () => {
    const ranked = rankBids([
      bidOf(low, { price: 90n }),
      bidOf(low.toLowerCase() as Address, { price: 500n }),
    ]);
    expect(ranked).toHaveLength(1);
    expect(ranked[0]!.price).toBe(90n);
  });

  it("drops expired bids when given the chain time, before picking a node's best", () => {
    const ranked = rankBids(
      [
        bidOf(low, { price: 50n, expiresAt: 100n }),
        bidOf(low, { price: 80n, expiresAt: 300n }),
        bidOf(mid, { price: 60n, expiresAt: 100n }),
      ],
      { now: 100n },
    );
    expect(ranked.map((b) => [b.node, b.price])).toEqual([[low, 80n]]);
  });

  it("refuses bids of different jobs", () => {
    expect(() => rankBids([bidOf(low), bidOf(mid, { jobId: 8n })])).toThrow(
      /one job's bids; got bids for jobs 7 and 8/,
    );
  });

  it("ranks nothing to nothing", () => {
    expect(rankBids([])).toEqual([]);
  });
});
