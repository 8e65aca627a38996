import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { JobState } from "../../constants.ts";
import type { Bid, SignedBid } from "../bid.ts";
import { signBid } from "../signBid.ts";
import { type BidJobView, type BidNodeView, type ValidateBidParameters, validateBid } from "./validateBid.ts";

const deployment = { chainId: 31337, jobManager: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address };
// Well-known Hardhat test keys: nothing here is secret.
const operator = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const other = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

const NOW = 1_800_000_000n;
/** The production default: a job of maxPrice 1000 can be claimed at 900 at most. */
const BUDGET_BPS = 1_000;
const openJob: BidJobView = {
  state: JobState.Open,
  maxPrice: 1_000n,
  bidEnd: Number(NOW) + 60,
  gpuCount: 2,
  minVramGb: 24,
  minCertLevel: 1,
};
const goodNode: BidNodeView = {
  registered: true,
  active: true,
  gpuCount: 4,
  vramGbPerGpu: 80,
  certLevel: 2,
  certExpiry: Number(NOW) + 86_400,
};

async function signed(over: Partial<Bid> = {}): Promise<SignedBid> {
  const bid: Bid = {
    jobId: 1n,
    node: operator.address,
    price: 500n,
    etaSeconds: 30,
    expiresAt: NOW + 600n,
    ...over,
  };
  return signBid({ ...deployment, signer: operator, bid });
}

function check(
  bid: SignedBid,
  over: Partial<ValidateBidParameters> & { job?: BidJobView; node?: BidNodeView } = {},
) {
  const { job = openJob, node = goodNode, ...rest } = over;
  return validateBid({
    ...deployment,
    bid,
    now: NOW,
    verificationBudgetBps: BUDGET_BPS,
    lookupJob: async (id) => (id === 1n ? job : undefined),
    lookupNode: async (a) => (a.toLowerCase() === operator.address.toLowerCase() ? node : undefined),
    ...rest,
  });
}

describe("validateBid", () => {
  it("accepts a bid meeting every rule", async () => {
    expect(await check(await signed())).toEqual({ verdict: "accept" });
  });

  it("rejects a bad signature before any lookup", async () => {
    const bid = await signed();
    const lookups: string[] = [];
    const verdict = await check(
      { ...bid, price: 499n },
      {
        lookupJob: async () => {
          lookups.push("job");
          return openJob;
        },
      },
    );
    expect(verdict).toMatchObject({
      verdict: "reject",
      reason: expect.stringMatching(/^bad signature: signed by 0x/),
    });
    expect(lookups).toEqual([]);
  });

  it("rejects a bid signed by another key than its node's", async () => {
    const bid = await signBid({
      ...deployment,
      signer: other,
      bid: { jobId: 1n, node: other.address, price: 500n, etaSeconds: 30, expiresAt: NOW + 600n },
    });
    const verdict = await check({ ...bid, node: operator.address });
    expect(verdict).toMatchObject({ verdict: "reject", reason: expect.stringMatching(/bad signature/) });
  });

  it("rejects an unrecoverable signature", async () => {
    const verdict = await check({ ...(await signed()), signature: `0x${"00".repeat(65)}` });
    expect(verdict).toMatchObject({
      verdict: "reject",
      reason: expect.stringMatching(/bad signature: cannot recover/),
    });
  });

  it("ignores a re-bid at the same or a higher price, keeps a lower one", async () => {
    expect(await check(await signed({ price: 500n }), { lowestSeenPrice: 500n })).toMatchObject({
      verdict: "ignore",
      reason: expect.stringMatching(/^duplicate/),
    });
    expect(await check(await signed({ price: 600n }), { lowestSeenPrice: 500n })).toMatchObject({
      verdict: "ignore",
    });
    expect(await check(await signed({ price: 400n }), { lowestSeenPrice: 500n })).toEqual({
      verdict: "accept",
    });
  });

  const rejections: [string, Partial<Bid>, { job?: BidJobView; node?: BidNodeView }, RegExp][] = [
    ["price 0", { price: 0n }, {}, /price 0/],
    [
      "a price above the claim cap, though within maxPrice",
      { price: 901n },
      {},
      /price 901 is above job 1's claim cap 900 \(max price 1000 less its 1000 bps verification budget\)/,
    ],
    ["a price above maxPrice", { price: 1_001n }, {}, /price 1001 is above job 1's claim cap 900/],
    ["an unknown job", { jobId: 2n }, {}, /unknown job: job 2 does not exist/],
    [
      "a job that is not Open",
      {},
      { job: { ...openJob, state: JobState.Cancelled } },
      /job 1 is Cancelled, not Open/,
    ],
    ["a bid long past the bid window", {}, { job: { ...openJob, bidEnd: Number(NOW) - 31 } }, /^late: /],
    ["a bid long expired", { expiresAt: NOW - 31n }, {}, /^expired: /],
    ["an unregistered node", {}, { node: { ...goodNode, registered: false } }, /is not registered/],
    ["an inactive node", {}, { node: { ...goodNode, active: false } }, /is not active/],
    ["too few GPUs", {}, { node: { ...goodNode, gpuCount: 1 } }, /has 1 GPUs; job 1 needs 2/],
    ["too little VRAM", {}, { node: { ...goodNode, vramGbPerGpu: 16 } }, /16 GB per GPU; job 1 needs 24 GB/],
    ["a certification level too low", {}, { node: { ...goodNode, certLevel: 0 } }, /level 0; job 1 needs 1/],
    [
      "an expired certification",
      {},
      { node: { ...goodNode, certExpiry: Number(NOW) } },
      /certification expired/,
    ],
  ];
  for (const [name, bidOver, views, reason] of rejections) {
    it(`rejects ${name}`, async () => {
      expect(await check(await signed(bidOver), views)).toMatchObject({
        verdict: "reject",
        reason: expect.stringMatching(reason),
      });
    });
  }

  it("accepts a price at the claim cap, and up to maxPrice when the budget is 0", async () => {
    expect(await check(await signed({ price: 900n }))).toEqual({ verdict: "accept" });
    expect(await check(await signed({ price: 1_000n }), { verificationBudgetBps: 0 })).toEqual({
      verdict: "accept",
    });
    expect(await check(await signed({ price: 1_001n }), { verificationBudgetBps: 0n })).toMatchObject({
      verdict: "reject",
      reason: expect.stringMatching(/claim cap 1000 /),
    });
  });

  it("rejects a node the registry does not know", async () => {
    const verdict = await check(await signed(), { lookupNode: async () => undefined });
    expect(verdict).toMatchObject({ verdict: "reject", reason: expect.stringMatching(/not registered/) });
  });

  it("ignores timing failures within the clock tolerance (honest relays read other blocks)", async () => {
    const justLate = await check(await signed(), { job: { ...openJob, bidEnd: Number(NOW) } });
    expect(justLate).toMatchObject({
      verdict: "ignore",
      reason: expect.stringMatching(/^late: .*within clock tolerance/),
    });
    const justExpired = await check(await signed({ expiresAt: NOW }));
    expect(justExpired).toMatchObject({ verdict: "ignore", reason: expect.stringMatching(/^expired: /) });
    const strict = await check(await signed(), {
      job: { ...openJob, bidEnd: Number(NOW) },
      clockToleranceSeconds: 0,
    });
    expect(strict).toMatchObject({ verdict: "reject", reason: expect.stringMatching(/^late: /) });
  });

  it("does not require certification when the job asks for none, nor VRAM when it needs no GPU", async () => {
    const uncertified = { ...goodNode, certLevel: 0, certExpiry: 0 };
    expect(await check(await signed(), { job: { ...openJob, minCertLevel: 0 }, node: uncertified })).toEqual({
      verdict: "accept",
    });
    const cpuJob = { ...openJob, gpuCount: 0, minVramGb: 80, minCertLevel: 0 };
    expect(
      await check(await signed(), { job: cpuJob, node: { ...goodNode, gpuCount: 0, vramGbPerGpu: 0 } }),
    ).toEqual({
      verdict: "accept",
    });
  });
});
