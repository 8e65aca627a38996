// The gossip market (DESIGN §3): a libp2p node with gossipsub, the bid topic with its validator, and the
// bid rules. The bid itself (types, signing, wire format, ranking) is in @arthaain/sdk.
export { EPHEMERAL_KEY, loadPeerKey } from "./loadPeerKey.ts";
export { type MarketLogger, silentMarketLogger } from "./logger.ts";
export {
  bidTopicScoreParams,
  type GossipNode,
  type GossipServices,
  parsePeerAddress,
  type StartGossipOptions,
  startGossip,
} from "./startGossip.ts";
export {
  BidRejectedError,
  type Market,
  type PublishBidResult,
  type StartMarketOptions,
  startMarket,
} from "./startMarket.ts";
export {
  type BidJobView,
  type BidNodeView,
  type BidVerdict,
  type ValidateBidParameters,
  validateBid,
} from "./validateBid.ts";
