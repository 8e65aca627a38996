// @arthaain/sdk/wagmi: the SDK's actions for a @wagmi/core Config (a dapp with a browser wallet). Each is
// the viem action of the same name run with a context built from the config; see docs/sdk.md.
export {
  addCheckpoint,
  cancelJob,
  challengeResult,
  ensureAllowance,
  getJob,
  publishModel,
  registerDataset,
  registerModel,
  submitAgentJob,
  submitInferJob,
  submitJob,
  submitTrainJob,
  type WagmiReadParameters,
  type WagmiWriteParameters,
  watchJob,
} from "./actions.ts";
export {
  type ArthaConfigReadParameters,
  type ArthaConfigWriteParameters,
  readContextFromConfig,
  writeContextFromConfig,
} from "./contextFromConfig.ts";
export { ChainNotInConfigError, WalletChainMismatchError, WalletNotConnectedError } from "./errors.ts";
