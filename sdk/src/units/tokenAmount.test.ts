import { describe, expect, it } from "vitest";
import { parseTokenAmount, tokenAmountText } from "./tokenAmount.ts";

describe("token amounts typed by a person", () => {
  it("reads whole and fractional amounts exactly", () => {
    expect(parseTokenAmount("--budget", "100", 18)).toBe(100n * 10n ** 18n);
    expect(parseTokenAmount("--budget", " 2.5 ", 6)).toBe(2_500_000n);
    expect(parseTokenAmount("--budget", "0.000001", 6)).toBe(1n);
    expect(parseTokenAmount("--budget", "1.50000000", 2)).toBe(150n); // trailing zeros are not precision
  });

  it.each(["", "abc", "-5", "1e3", "0x10", "1.", ".5", "1,5"])("refuses %j naming the flag", (text) => {
    expect(() => tokenAmountText("--stake", text)).toThrow(
      `--stake ${JSON.stringify(text)}: expected an amount in tokens`,
    );
  });

  it("refuses more digits than the token has, and zero", () => {
    expect(() => parseTokenAmount("--budget", "0.0000001", 6)).toThrow(
      "--budget 0.0000001: the token has 6 decimals, so at most 6 digits after the point",
    );
    expect(() => parseTokenAmount("--budget", "0.00", 6)).toThrow("--budget 0.00: must be more than 0");
  });
});
