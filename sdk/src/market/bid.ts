// The gossip market's bid (DESIGN §3): an EIP-712 typed message signed by the operator key, so anyone
// (agents, requesters, explorers) can check who offered what without trusting the peer that relayed it.
import type { Address, Hex, TypedDataDomain } from "viem";

/** EIP-712 types of a bid; field order and widths are part of the signature, never change them. */
export const bidTypes = {
  Bid: [
    { name: "jobId", type: "uint64" },
    { name: "node", type: "address" },
    { name: "price", type: "uint96" },
    { name: "etaSeconds", type: "uint32" },
    { name: "expiresAt", type: "uint64" },
  ],
} as const;

/** An operator's offer to run job `jobId` for `price` (token units), starting within `etaSeconds`. */
export type Bid = {
  jobId: bigint;
  /** The operator address registered in NodeRegistry: the signer of the bid. */
  node: Address;
  price: bigint;
  etaSeconds: number;
  /** Chain time (unix seconds) from which the offer no longer holds. */
  expiresAt: bigint;
};

export type SignedBid = Bid & { signature: Hex };

/** The deployment a bid belongs to: its chain and job manager. */
export type BidDeployment = { chainId: number; jobManager: Address };

/** EIP-712 domain of bids: bound to one chain and one job manager, so a bid cannot be replayed elsewhere. */
export function bidDomain({ chainId, jobManager }: BidDeployment): TypedDataDomain {
  return { name: "ArthaAIN", version: "1", chainId, verifyingContract: jobManager };
}

/** Gossipsub topic of a deployment's bids; the trailing version changes with the wire format. */
export function bidTopic({ chainId, jobManager }: BidDeployment): string {
  return `artha/${chainId}/${jobManager.toLowerCase()}/bids/1`;
}

export const UINT32_MAX = 2n ** 32n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
export const UINT96_MAX = 2n ** 96n - 1n;
