// The verifiers' gossip (docs/verification.md, "Signed votes"): a disputed job's drawn verifiers share their
// signed commitments (ballots), then their reveals, on one topic per proof contract, so one transaction can
// settle the dispute (ProofOfCompute.resolveSigned). A reveal needs no signature of its own: it is checked
// against the signed commitment it opens.
import { type Address, getAddress, type Hex } from "viem";
import { z } from "zod";
import { UINT64_MAX } from "./bid.ts";

/** The deployment a ballot belongs to: its chain and proof contract (the EIP-712 domain of the ballot). */
export type BallotDeployment = { chainId: number; proofOfCompute: Address };

/** Gossipsub topic of a deployment's verifier ballots and reveals; the trailing version changes with the wire format. */
export function ballotTopic({ chainId, proofOfCompute }: BallotDeployment): string {
  return `artha/${chainId}/${proofOfCompute.toLowerCase()}/ballots/1`;
}

/** A verifier's signed commitment for one round of a dispute (signVerificationVote's public half). */
export type BallotMessage = {
  type: "ballot";
  jobId: bigint;
  round: number;
  /** The verifier's place in the round's draw. */
  index: bigint;
  verifier: Address;
  commitment: Hex;
  /** EIP-2098 compact signature of Ballot(jobId, round, commitment). */
  r: Hex;
  vs: Hex;
  /** Unix seconds when sent: a republished message differs, so gossipsub does not drop it as seen. */
  sentAt: number;
};

/** What opens a ballot's commitment: shared once the verifier holds k ballots. */
export type RevealMessage = {
  type: "reveal";
  jobId: bigint;
  round: number;
  verifier: Address;
  result: Hex;
  agrees: boolean;
  salt: Hex;
  sentAt: number;
};

export type VerifierMessage = BallotMessage | RevealMessage;

/** Largest verifier message accepted on the wire; a well-formed one is under 450 bytes. */
export const MAX_VERIFIER_MESSAGE_BYTES = 1024;

/** A verifier message that is not well formed; `field` names the offender ("message" for the whole). */
export class VerifierMessageError extends Error {
  override readonly name = "VerifierMessageError";
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`verifier message ${field}: ${reason}`);
    this.field = field;
  }
}

const bytes32 = z.string().regex(/^0x[0-9a-f]{64}$/, "expected 32 bytes as lowercase hex (0x + 64 digits)");
const uint = (max: bigint) =>
  z
    .string()
    .max(40)
    .regex(/^(0|[1-9][0-9]*)$/, "expected a canonical decimal string")
    .transform((s) => BigInt(s))
    .refine((n) => n <= max, `expected at most ${max}`);
const common = {
  jobId: uint(UINT64_MAX),
  round: z.number().int().min(1).max(255),
  verifier: z
    .string()
    .regex(/^0x[0-9a-f]{40}$/, "expected a lowercase hex address (0x + 40 digits)")
    .transform((s) => getAddress(s)),
  sentAt: z.number().int().min(0),
};
const wire = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("ballot"),
    ...common,
    index: uint(255n),
    commitment: bytes32,
    r: bytes32,
    vs: bytes32,
  }),
  z.strictObject({
    type: z.literal("reveal"),
    ...common,
    result: bytes32,
    agrees: z.boolean(),
    salt: bytes32,
  }),
]);

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Wire form: UTF-8 JSON, bigints as decimal strings, hex in lowercase, keys in a fixed order (one message,
 * one encoding).
 */
export function encodeVerifierMessage(m: VerifierMessage): Uint8Array {
  const head = {
    type: m.type,
    jobId: m.jobId.toString(),
    round: m.round,
    verifier: m.verifier.toLowerCase(),
  };
  const body =
    m.type === "ballot"
      ? { index: m.index.toString(), commitment: m.commitment, r: m.r, vs: m.vs }
      : { result: m.result, agrees: m.agrees, salt: m.salt };
  const lower = Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v.toLowerCase() : v]),
  );
  return utf8.encode(JSON.stringify({ ...head, ...lower, sentAt: m.sentAt }));
}

/**
 * Parses a verifier message from the wire (see encodeVerifierMessage). Throws VerifierMessageError naming
 * the field and what was expected. Says nothing about the signature or the draw: the ballot box checks those.
 */
export function decodeVerifierMessage(bytes: Uint8Array): VerifierMessage {
  if (bytes.length > MAX_VERIFIER_MESSAGE_BYTES) {
    throw new VerifierMessageError(
      "message",
      `expected at most ${MAX_VERIFIER_MESSAGE_BYTES} bytes, got ${bytes.length}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8.decode(bytes));
  } catch {
    throw new VerifierMessageError("message", "expected UTF-8 JSON");
  }
  const parsed = wire.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VerifierMessageError(issue.path.join(".") || "message", issue.message);
  }
  return parsed.data as VerifierMessage;
}
