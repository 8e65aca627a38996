// Dataset actions against a real (in-process Hardhat) chain with ArthaAIN deployed.
import { getAddress, type Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, sha } from "../../../../scripts/lib/artha.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { getDataset } from "./getDataset.ts";
import { listDatasets } from "./listDatasets.ts";
import { registerDataset } from "./registerDataset.ts";

const input = (label: string, license = "CC-BY-4.0") => ({
  contentHash: sha(label),
  uri: `file:///data/${label}.csv`,
  size: 1_024n,
  license,
});

describe("dataset actions", () => {
  let a: Artha;
  let ctx: ArthaWriteContext;
  beforeAll(async () => {
    a = await deployArtha();
    ctx = a.sdkContext();
  });

  it("registers a dataset and reads back every field under the id from its event", async () => {
    const { datasetId, hash } = await registerDataset(ctx, { ...input("mnist"), policyFlags: 5 });
    // The deployment registers dataset 1, so this one is the next.
    expect(datasetId).toBe(BigInt(a.datasetId) + 1n);
    const receipt = await a.publicClient.getTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    expect(await getDataset(ctx, { datasetId })).toEqual({
      id: datasetId,
      contentHash: sha("mnist"),
      owner: getAddress(a.requester.account.address),
      size: 1_024n,
      policyFlags: 5,
      uri: "file:///data/mnist.csv",
      license: "CC-BY-4.0",
    });
  });

  it("gives each of two concurrent registrations its own id, each owned by its sender", async () => {
    const other = a.operators[0]!;
    const [mine, theirs] = await Promise.all([
      registerDataset(ctx, input("race-a")),
      registerDataset(a.sdkContext(other), input("race-b")),
    ]);
    expect(mine.datasetId).not.toBe(theirs.datasetId);
    const [da, db] = await Promise.all([
      getDataset(ctx, { datasetId: mine.datasetId }),
      getDataset(ctx, { datasetId: theirs.datasetId }),
    ]);
    expect([da.owner, da.contentHash]).toEqual([getAddress(a.requester.account.address), sha("race-a")]);
    expect([db.owner, db.contentHash]).toEqual([getAddress(other.account.address), sha("race-b")]);
  });

  it("refuses bad input before sending anything, naming the field", async () => {
    const before = await a.publicClient.getBlockNumber();
    const bad: [Partial<Parameters<typeof registerDataset>[1]>, RegExp][] = [
      [{ contentHash: "0x1234" }, /registerDataset: contentHash must be 32 bytes of hex .*got "0x1234"/],
      [{ contentHash: `0x${"zz".repeat(32)}` as Hex }, /contentHash must be 32 bytes of hex/],
      [{ contentHash: `0x${"00".repeat(32)}` }, /contentHash must be a non-zero hash/],
      [{ uri: "" }, /registerDataset: uri must be a non-empty string, got ""/],
      [{ size: 0n }, /registerDataset: size must be a bigint from 1 to 18446744073709551615, got 0n/],
      [{ size: 2n ** 64n }, /size must be a bigint from 1/],
      [{ size: 5 as unknown as bigint }, /size must be a bigint from 1 .*got 5$/],
      [{ policyFlags: 2 ** 32 }, /registerDataset: policyFlags must be an integer from 0 to 4294967295/],
      [{ policyFlags: -1 }, /policyFlags must be an integer/],
      [{ license: undefined as unknown as string }, /registerDataset: license must be a string/],
    ];
    for (const [override, message] of bad) {
      await expect(registerDataset(ctx, { ...input("bad"), ...override })).rejects.toThrow(message);
    }
    expect(await a.publicClient.getBlockNumber()).toBe(before);
  });

  it("names the id when reading a dataset that does not exist", async () => {
    await expect(getDataset(ctx, { datasetId: 999n })).rejects.toThrow(/^dataset 999 does not exist/);
    await expect(getDataset(ctx, { datasetId: 0n })).rejects.toThrow(
      "getDataset: datasetId must be a bigint from 1 to 4294967295, got 0n",
    );
  });

  it("lists datasets oldest first, filtered by owner and license, paged", async () => {
    // A fresh owner so the expected list is exactly what this test registers.
    const owner = a.operators[5]!;
    const octx = a.sdkContext(owner);
    const ids: bigint[] = [];
    for (const [label, license] of [
      ["l1", "MIT"],
      ["l2", "CC0-1.0"],
      ["l3", "mit"],
      ["l4", "MIT"],
    ] as const) {
      ids.push((await registerDataset(octx, input(label, license))).datasetId);
    }
    const mine = await listDatasets(ctx, { owner: owner.account.address });
    expect(mine.map((d) => d.id)).toEqual(ids);
    expect(mine[1]).toEqual(await getDataset(ctx, { datasetId: ids[1]! }));

    const mit = await listDatasets(ctx, { owner: owner.account.address, license: "MIT" });
    expect(mit.map((d) => d.id)).toEqual([ids[0], ids[2], ids[3]]);
    const paged = await listDatasets(ctx, {
      owner: owner.account.address,
      license: "mit",
      offset: 1,
      limit: 1,
    });
    expect(paged.map((d) => d.id)).toEqual([ids[2]]);

    const all = await listDatasets(ctx);
    expect(all[0]!.id).toBe(BigInt(a.datasetId));
    expect(all.map((d) => d.id)).toEqual([...all.map((d) => d.id)].sort((x, y) => (x < y ? -1 : 1)));
    expect(all.map((d) => d.id)).toEqual(expect.arrayContaining(ids));
    expect(await listDatasets(ctx, { license: "no-such-license" })).toEqual([]);
  });

  it("lists only what the bounded scan window covers", async () => {
    const { datasetId } = await registerDataset(ctx, input("latest"));
    // One block: just the registration above (automine puts each transaction in its own block).
    const recent = await listDatasets({ ...ctx, maxScanBlocks: 1 });
    expect(recent.map((d) => d.id)).toEqual([datasetId]);
  });

  it("refuses malformed list parameters", async () => {
    await expect(listDatasets(ctx, { limit: -1 })).rejects.toThrow(
      "listDatasets: limit must be a non-negative integer, got -1",
    );
    await expect(listDatasets(ctx, { offset: 1.5 })).rejects.toThrow("listDatasets: offset must be");
    await expect(listDatasets(ctx, { owner: "0x1234" })).rejects.toThrow(
      'listDatasets: owner must be a 20-byte hex address, got "0x1234"',
    );
  });
});
