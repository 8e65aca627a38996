import { parseUnits } from "viem";

const AMOUNT = /^\d+(\.\d+)?$/;

/**
 * Checks the form of a token amount typed by a person ("100", "2.5"); "abc", "-5", "1e3" and "" are
 * refused with `what` (the flag or field) in the message. Returns the trimmed text. Both CLIs check this
 * before connecting to a chain, when the token's decimals are not known yet.
 */
export function tokenAmountText(what: string, value: unknown): string {
  const text = typeof value === "string" ? value.trim() : "";
  if (!AMOUNT.test(text)) {
    throw new Error(`${what} ${JSON.stringify(value ?? "")}: expected an amount in tokens, like 100 or 2.5`);
  }
  return text;
}

/** A token amount in token units as base units: never rounded (too many decimals is an error), never zero. */
export function parseTokenAmount(what: string, value: unknown, decimals: number): bigint {
  const text = tokenAmountText(what, value);
  const fraction = (text.split(".")[1] ?? "").replace(/0+$/, "");
  if (fraction.length > decimals) {
    throw new Error(
      `${what} ${text}: the token has ${decimals} decimals, so at most ${decimals} digits after the point`,
    );
  }
  const units = parseUnits(text, decimals);
  if (units === 0n) throw new Error(`${what} ${text}: must be more than 0`);
  return units;
}
