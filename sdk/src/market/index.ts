// The gossip market's shared parts (DESIGN §3), browser-safe: agents bid with them, requesters and
// explorers use them to watch live auctions.

export {
  type BallotDeployment,
  type BallotMessage,
  ballotTopic,
  decodeVerifierMessage,
  encodeVerifierMessage,
  MAX_VERIFIER_MESSAGE_BYTES,
  type RevealMessage,
  type VerifierMessage,
  VerifierMessageError,
} from "./ballot.ts";
export {
  type Bid,
  type BidDeployment,
  bidDomain,
  bidTopic,
  bidTypes,
  type SignedBid,
  UINT32_MAX,
  UINT64_MAX,
  UINT96_MAX,
} from "./bid.ts";
export { BidFormatError, decodeBid } from "./decodeBid.ts";
export { encodeBid, MAX_BID_BYTES } from "./encodeBid.ts";
export { maxClaimPrice } from "./maxClaimPrice.ts";
export { compareBids, type RankBidsOptions, rankBids } from "./rankBids.ts";
export { type BidSigner, type SignBidParameters, signBid } from "./signBid.ts";
export { recoverBidSigner, type VerifyBidParameters, verifyBid } from "./verifyBid.ts";
