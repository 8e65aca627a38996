import type { SignedBid } from "./bid.ts";

/** Largest bid message accepted on the wire; a well-formed bid is about 330 bytes. */
export const MAX_BID_BYTES = 1024;

const utf8 = new TextEncoder();

/**
 * Wire form of a signed bid: UTF-8 JSON with the bigints as decimal strings and the address and signature
 * in lowercase hex, keys in a fixed order, so one bid always encodes to the same bytes (gossipsub ids
 * messages by content, so re-publishing the same bid is a duplicate everywhere).
 */
export function encodeBid(bid: SignedBid): Uint8Array {
  return utf8.encode(
    JSON.stringify({
      jobId: bid.jobId.toString(),
      node: bid.node.toLowerCase(),
      price: bid.price.toString(),
      etaSeconds: bid.etaSeconds,
      expiresAt: bid.expiresAt.toString(),
      signature: bid.signature.toLowerCase(),
    }),
  );
}
