// Every SDK action, grouped by what it acts on. Each takes an ArthaReadContext (reads) or an
// ArthaWriteContext (writes) first; see docs/sdk.md.
export * from "../client/context.ts";
export { IndexerError } from "../client/indexer.ts";
export { DEFAULT_MAX_SCAN_BLOCKS, type ScanEventsParameters, scanEvents } from "../client/scanEvents.ts";
export { ArthaTxError, type SendTransactionParameters, sendTransaction } from "../client/sendTransaction.ts";
export { sleep } from "../client/sleep.ts";
export { type Dataset, type GetDatasetParameters, getDataset } from "./datasets/getDataset.ts";
export { type ListDatasetsParameters, listDatasets } from "./datasets/listDatasets.ts";
export { type RegisterDatasetParameters, registerDataset } from "./datasets/registerDataset.ts";
export { type CancelJobParameters, type CancelJobReturnType, cancelJob } from "./jobs/cancelJob.ts";
export {
  type EstimatePriceParameters,
  estimatePrice,
  type PriceEstimate,
} from "./jobs/estimatePrice.ts";
export { type GetJobParameters, getJob, type Job, type JobStateLabel } from "./jobs/getJob.ts";
export {
  type GetJobArtifactsParameters,
  getJobArtifacts,
  type JobArtifact,
  type JobArtifacts,
} from "./jobs/getJobArtifacts.ts";
export { type GetJobLogsParameters, getJobLogs } from "./jobs/getJobLogs.ts";
export {
  type GetJobSubmissionParameters,
  getJobSubmission,
  type JobSubmission,
} from "./jobs/getJobSubmission.ts";
export { type GetWithdrawableParameters, getWithdrawable } from "./jobs/getWithdrawable.ts";
export { JobRequestError } from "./jobs/jobRequestError.ts";
export { type JobLimits, readJobLimits } from "./jobs/readJobLimits.ts";
export { submitAgentJob } from "./jobs/submitAgentJob.ts";
export { submitInferJob } from "./jobs/submitInferJob.ts";
export { type SubmitJobParameters, type SubmitJobReturnType, submitJob } from "./jobs/submitJob.ts";
export { submitTrainJob } from "./jobs/submitTrainJob.ts";
export { type JobEvent, type JobEventName, type WatchJobParameters, watchJob } from "./jobs/watchJob.ts";
export {
  type WithdrawFundsParameters,
  type WithdrawFundsReturnType,
  withdrawFunds,
} from "./jobs/withdrawFunds.ts";
export { type AddCheckpointParameters, addCheckpoint } from "./models/addCheckpoint.ts";
export {
  type Checkpoint,
  type GetCheckpointParameters,
  getCheckpoint,
  type JobCheckpoint,
  type RegistryCheckpoint,
} from "./models/getCheckpoint.ts";
export { type GetModelParameters, getModel, type Model } from "./models/getModel.ts";
export {
  type GetModelLineageParameters,
  getModelLineage,
  type LineageEdge,
  type LineageEdgeKind,
  type LineageNode,
  type LineageParts,
  lineageGraph,
} from "./models/getModelLineage.ts";
export { type ListCheckpointsParameters, listCheckpoints } from "./models/listCheckpoints.ts";
export { type ListModelsParameters, listModels } from "./models/listModels.ts";
export { type PublishModelParameters, publishModel } from "./models/publishModel.ts";
export { type RegisterModelParameters, registerModel } from "./models/registerModel.ts";
export { type GetNodeParameters, getNode } from "./nodes/getNode.ts";
export { type ListNodesParameters, listNodes } from "./nodes/listNodes.ts";
export { type NodeApi, openNodeApi } from "./nodes/nodeApi.ts";
export { type NodeCapabilities, type NodeInfo, readNodeInfo } from "./nodes/nodeInfo.ts";
export {
  type EnsureAllowanceParameters,
  type EnsureAllowanceReturnType,
  ensureAllowance,
} from "./token/ensureAllowance.ts";
export { type GetPermitDomainParameters, getPermitDomain } from "./token/getPermitDomain.ts";
export { type SignPermitParameters, type SignPermitReturnType, signPermit } from "./token/signPermit.ts";
export {
  InsufficientBalanceError,
  type RequireTokenBalanceParameters,
  requireTokenBalance,
  tokenUnits,
} from "./token/tokenBalance.ts";
export {
  type ChallengeResultParameters,
  type ChallengeResultReturnType,
  challengeResult,
} from "./verification/challengeResult.ts";
export {
  type CommitVerificationParameters,
  type CommitVerificationReturnType,
  commitVerification,
  verificationCommitment,
} from "./verification/commitVerification.ts";
export {
  type DrawAuditParameters,
  type DrawAuditReturnType,
  drawAudit,
} from "./verification/drawAudit.ts";
export {
  type DrawnVerifier,
  drawPositions,
  drawWord,
  type GetVerifierDrawParameters,
  getVerifierDraw,
  roundSeed,
  seed64,
  type VerifierDraw,
} from "./verification/getVerifierDraw.ts";
export {
  type NextVerificationRoundParameters,
  type NextVerificationRoundReturnType,
  nextVerificationRound,
} from "./verification/nextVerificationRound.ts";
export {
  type DisputeMajority,
  getDisputeMajority,
  type ResolveDisputeParameters,
  type ResolveDisputeReturnType,
  resolveDispute,
} from "./verification/resolveDispute.ts";
export {
  type ResolveDisputeSignedParameters,
  resolveDisputeSigned,
  signedVoteArgs,
} from "./verification/resolveDisputeSigned.ts";
export {
  type RevealVerificationParameters,
  type RevealVerificationReturnType,
  revealVerification,
} from "./verification/revealVerification.ts";
export {
  ballotTypes,
  recoverBallotSigner,
  type SignedVerificationVote,
  type SignVerificationVoteParameters,
  signVerificationVote,
  verificationBallot,
  verificationDomain,
} from "./verification/signVerificationVote.ts";
export {
  type SlashAbsentVerifierParameters,
  type SlashAbsentVerifierReturnType,
  slashAbsentVerifier,
} from "./verification/slashAbsentVerifier.ts";
