import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import { SPARE_SLACK_S, spareUntil } from "./spares.ts";

const node = (i: number) => `0x${i.toString(16).padStart(40, "0")}` as Address;
const draw = (places: number, commits = 0) => ({
  k: 3,
  commits,
  commitEnd: 10_000n,
  verifiers: Array.from({ length: places }, (_, i) => ({ address: node(i + 1), index: BigInt(i) })),
});
const base = { voted: [] as Address[], since: 1_000n, runtime: 20n, margin: 5n };

describe("spareUntil", () => {
  it("the first k drawn nodes verify at once; the places after them stand by", () => {
    for (const i of [1, 2, 3]) expect(spareUntil({ ...base, draw: draw(5), me: node(i) })).toBeNull();
    for (const i of [4, 5]) {
      expect(spareUntil({ ...base, draw: draw(5), me: node(i) })).toBe(1_000n + 40n + SPARE_SLACK_S);
    }
  });

  it("a later round needs only the votes it lacks, filled by the drawn nodes that have not voted", () => {
    // Two votes kept from round 1; node 1 voted then: nodes 2 is the one new verifier, 3 and 4 are spares.
    const input = { ...base, draw: draw(4, 2), voted: [node(1)] };
    expect(spareUntil({ ...input, me: node(2) })).toBeNull();
    expect(spareUntil({ ...input, me: node(3) })).not.toBeNull();
    expect(spareUntil({ ...input, me: node(4) })).not.toBeNull();
  });

  it("a spare still has twice the worker's run before the commit phase ends", () => {
    const late = { ...base, since: 9_900n, draw: draw(5), me: node(4) };
    expect(spareUntil(late)).toBe(10_000n - 5n - 40n);
  });
});
