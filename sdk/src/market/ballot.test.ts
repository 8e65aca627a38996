import { describe, expect, it } from "vitest";
import {
  type BallotMessage,
  ballotTopic,
  decodeVerifierMessage,
  encodeVerifierMessage,
  MAX_VERIFIER_MESSAGE_BYTES,
  type RevealMessage,
  VerifierMessageError,
} from "./ballot.ts";

const ballot: BallotMessage = {
  type: "ballot",
  jobId: 18_446_744_073_709_551_615n,
  round: 2,
  index: 5n,
  verifier: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  commitment: `0x${"AB".repeat(32)}`,
  r: `0x${"01".repeat(32)}`,
  vs: `0x${"02".repeat(32)}`,
  sentAt: 1_800_000_000,
};
const reveal: RevealMessage = {
  type: "reveal",
  jobId: 7n,
  round: 1,
  verifier: ballot.verifier,
  result: `0x${"cd".repeat(32)}`,
  agrees: false,
  salt: `0x${"ef".repeat(32)}`,
  sentAt: 0,
};
const text = (m: unknown) => new TextEncoder().encode(JSON.stringify(m));
const wire = (m: BallotMessage | RevealMessage) =>
  JSON.parse(new TextDecoder().decode(encodeVerifierMessage(m))) as Record<string, unknown>;
const fails = (bytes: Uint8Array, field: string, reason: RegExp) => {
  try {
    decodeVerifierMessage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(VerifierMessageError);
    expect((error as VerifierMessageError).field).toBe(field);
    expect((error as Error).message).toMatch(reason);
    return;
  }
  throw new Error("decoded a bad message");
};

describe("verifier messages on the wire", () => {
  it("round-trips ballots and reveals, one encoding per message (lowercase hex, decimal bigints)", () => {
    const b = encodeVerifierMessage(ballot);
    expect(decodeVerifierMessage(b)).toEqual({ ...ballot, commitment: ballot.commitment.toLowerCase() });
    expect(wire(ballot)).toMatchObject({
      jobId: "18446744073709551615",
      index: "5",
      verifier: ballot.verifier.toLowerCase(),
    });
    expect(Object.keys(wire(ballot))).toEqual([
      "type",
      "jobId",
      "round",
      "verifier",
      "index",
      "commitment",
      "r",
      "vs",
      "sentAt",
    ]);
    expect(decodeVerifierMessage(encodeVerifierMessage(reveal))).toEqual(reveal);
    expect(b.length).toBeLessThan(450);
    expect(ballotTopic({ chainId: 31337, proofOfCompute: ballot.verifier })).toBe(
      `artha/31337/${ballot.verifier.toLowerCase()}/ballots/1`,
    );
  });

  it("names the field that is wrong and what was expected", () => {
    fails(text({ ...wire(reveal), salt: "0x12" }), "salt", /32 bytes as lowercase hex/);
    fails(text({ ...wire(ballot), jobId: "18446744073709551616" }), "jobId", /at most 18446744073709551615/);
    fails(text({ ...wire(ballot), jobId: "007" }), "jobId", /canonical decimal/);
    fails(text({ ...wire(ballot), round: 0 }), "round", /./);
    fails(text({ ...wire(ballot), verifier: "0x1234" }), "verifier", /lowercase hex address/);
    fails(text({ ...wire(ballot), extra: 1 }), "message", /extra/i);
    fails(text({ ...wire(ballot), type: "vote" }), "type", /./);
    fails(new TextEncoder().encode("{not json"), "message", /UTF-8 JSON/);
    fails(new Uint8Array(MAX_VERIFIER_MESSAGE_BYTES + 1), "message", /at most 1024 bytes, got 1025/);
  });
});
