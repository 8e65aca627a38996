import { type Address, getAddress, type Hex } from "viem";
import { type SignedBid, UINT32_MAX, UINT64_MAX, UINT96_MAX } from "./bid.ts";
import { MAX_BID_BYTES } from "./encodeBid.ts";

/** A bid message that is not a well-formed bid; `field` names the offender ("message" for the whole). */
export class BidFormatError extends Error {
  override readonly name = "BidFormatError";
  readonly field: string;
  readonly expected: string;
  // Plain fields, not parameter properties: Node's type stripping runs this file as is.
  constructor(field: string, expected: string, got: string) {
    super(`bid ${field}: expected ${expected}, got ${got}`);
    this.field = field;
    this.expected = expected;
  }
}

const FIELDS = ["jobId", "node", "price", "etaSeconds", "expiresAt", "signature"] as const;
// Canonical decimal only (no sign, no leading zeros, no exponent): one number, one spelling.
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
// 65-byte r || s || v, the form signTypedData produces.
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a bid from the wire (see encodeBid). Throws BidFormatError naming the field and what was
 * expected. Says nothing about the signature's validity: that is verifyBid's job.
 */
export function decodeBid(bytes: Uint8Array): SignedBid {
  if (bytes.length > MAX_BID_BYTES) {
    throw new BidFormatError("message", `at most ${MAX_BID_BYTES} bytes`, `${bytes.length} bytes`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BidFormatError("message", "UTF-8 text", "invalid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BidFormatError("message", "a JSON object", "text that is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new BidFormatError("message", "a JSON object", Array.isArray(json) ? "an array" : describe(json));
  }
  const record = json as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new BidFormatError(key, `no such field (a bid has ${FIELDS.join(", ")})`, "an extra field");
    }
  }
  return {
    jobId: uint(record, "jobId", UINT64_MAX, "uint64"),
    node: address(record),
    price: uint(record, "price", UINT96_MAX, "uint96"),
    etaSeconds: uint32Number(record),
    expiresAt: uint(record, "expiresAt", UINT64_MAX, "uint64"),
    signature: signature(record),
  };
}

function present(record: Record<string, unknown>, field: string, expected: string): unknown {
  if (!(field in record)) throw new BidFormatError(field, expected, "nothing (missing field)");
  return record[field];
}

function uint(record: Record<string, unknown>, field: string, max: bigint, width: string): bigint {
  const expected = `a ${width} as a decimal string`;
  const value = present(record, field, expected);
  // Length check first: BigInt() on a megabyte of digits is wasted work (the size cap already bounds it).
  if (typeof value !== "string" || value.length > 40 || !DECIMAL.test(value)) {
    throw new BidFormatError(field, expected, describe(value));
  }
  const n = BigInt(value);
  if (n > max) throw new BidFormatError(field, `${expected} (at most ${max})`, value);
  return n;
}

function uint32Number(record: Record<string, unknown>): number {
  const expected = "a uint32 as a JSON integer";
  const value = present(record, "etaSeconds", expected);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new BidFormatError("etaSeconds", expected, describe(value));
  }
  if (BigInt(value) > UINT32_MAX) {
    throw new BidFormatError("etaSeconds", `${expected} (at most ${UINT32_MAX})`, String(value));
  }
  return value;
}

function address(record: Record<string, unknown>): Address {
  const expected = "a 20-byte hex address (0x + 40 hex digits)";
  const value = present(record, "node", expected);
  if (typeof value !== "string" || !ADDRESS.test(value))
    throw new BidFormatError("node", expected, describe(value));
  return getAddress(value);
}

function signature(record: Record<string, unknown>): Hex {
  const expected = "a 65-byte hex signature (0x + 130 hex digits)";
  const value = present(record, "signature", expected);
  if (typeof value !== "string" || !SIGNATURE.test(value)) {
    throw new BidFormatError("signature", expected, describe(value));
  }
  return value.toLowerCase() as Hex;
}

/** A short, bounded description of a bad value for error messages (never the whole input). */
function describe(value: unknown): string {
  if (typeof value === "string") {
    return value.length > 80 ? `a ${value.length}-character string` : JSON.stringify(value);
  }
  if (value === null) return "null";
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${String(value)}`;
}
