import { describe, expect, it } from "vitest";
import { maxClaimPrice } from "./maxClaimPrice.ts";

describe("maxClaimPrice", () => {
  it("is maxPrice less the verification budget", () => {
    expect(maxClaimPrice(100_000_000n, 1_000)).toBe(90_000_000n);
    expect(maxClaimPrice(100_000_000n, 1_000n)).toBe(90_000_000n);
    expect(maxClaimPrice(1_000n, 0)).toBe(1_000n);
    expect(maxClaimPrice(1_000n, 9_999)).toBe(1n);
  });

  it("rounds the budget down, as the contract does (so the cap rounds up)", () => {
    // budget 999 * 1000 / 10000 = 99.9 -> 99; cap 900, not 899.
    expect(maxClaimPrice(999n, 1_000)).toBe(900n);
    expect(maxClaimPrice(9n, 1_000)).toBe(9n);
    expect(maxClaimPrice(1n, 5_000)).toBe(1n);
    expect(maxClaimPrice(0n, 1_000)).toBe(0n);
  });

  it("is exact for the largest uint96 maxPrice", () => {
    const max = 2n ** 96n - 1n;
    expect(maxClaimPrice(max, 1_000)).toBe(max - (max * 1_000n) / 10_000n);
  });

  it("refuses a budget the contract could not have been deployed with", () => {
    expect(() => maxClaimPrice(1_000n, 10_000)).toThrow(RangeError);
    expect(() => maxClaimPrice(1_000n, -1)).toThrow(RangeError);
    expect(() => maxClaimPrice(-1n, 1_000)).toThrow(RangeError);
  });
});
