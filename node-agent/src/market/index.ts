// The gossip market (DESIGN §3): the bid topic with its validator, the verifiers' ballot topic with its own, on top of the SDK's gossip node
// (startGossip, loadPeerKey, validateBid in @arthaain/sdk/node, shared with requesters watching a live
// auction). The bid itself (types, signing, wire format, ranking) is in @arthaain/sdk.
export {
  type BidJobView,
  type BidNodeView,
  type BidVerdict,
  bidTopicScoreParams,
  EPHEMERAL_KEY,
  type GossipNode,
  type GossipServices,
  loadPeerKey,
  type MarketLogger,
  parsePeerAddress,
  type StartGossipOptions,
  silentMarketLogger,
  startGossip,
  type ValidateBidParameters,
  validateBid,
} from "@arthaain/sdk/node";
export {
  type BallotBox,
  type HeldVote,
  type OwnVerifierMessage,
  type StartBallotsOptions,
  startBallots,
} from "./startBallots.ts";
export {
  BidRejectedError,
  type Market,
  type PublishBidResult,
  type StartMarketOptions,
  startMarket,
} from "./startMarket.ts";
