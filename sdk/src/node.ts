// Node-only parts of the SDK (filesystem access, the libp2p gossip node); browser code imports "@arthaain/sdk" only.

export {
  artifactPath,
  type SavedJobArtifacts,
  type SaveJobArtifactsParameters,
  saveJobArtifacts,
} from "./actions/jobs/saveJobArtifacts.node.ts";
export { readDeployment, readDeploymentFile } from "./deployments/readDeployment.ts";
export {
  cachedBidNodeLookup,
  MAX_REGISTERED_PEERS,
  readBidNode,
  registeredPeerAddresses,
} from "./market/gossip/chainViews.ts";
export { EPHEMERAL_KEY, loadPeerKey } from "./market/gossip/loadPeerKey.ts";
export { type MarketLogger, silentMarketLogger } from "./market/gossip/logger.ts";
export {
  bidTopicScoreParams,
  type GossipNode,
  type GossipServices,
  parsePeerAddress,
  type StartGossipOptions,
  startGossip,
} from "./market/gossip/startGossip.ts";
export {
  type BidJobView,
  type BidNodeView,
  type BidVerdict,
  type ValidateBidParameters,
  validateBid,
} from "./market/gossip/validateBid.ts";
export {
  type JoinBidGossipParameters,
  joinBidGossip,
  type VerifiedBid,
  type WatchBidsParameters,
  watchBids,
} from "./market/watchBids.node.ts";
export {
  type DirectoryOutputRoot,
  outputRootOfDirectory,
  readOutputEntries,
} from "./outputs/outputRoot.node.ts";
export {
  storeEncodedSpecInDirectory,
  storeSpecInDirectory,
} from "./spec/store/storeSpecInDirectory.node.ts";
export {
  decryptKeystore,
  encryptKeystore,
  KeystoreError,
  type LoadPrivateKeyOptions,
  loadPrivateKey,
  writeKeystoreFile,
} from "./wallet/keystore.ts";
