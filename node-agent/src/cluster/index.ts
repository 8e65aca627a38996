// Job containers on the local Docker engine (dockerode): sandboxed, pinned by image id, GPUs by device
// request, killed at an absolute deadline; start and wait are separate so a restarted agent re-attaches.
export { ClusterError, type ClusterErrorCode, engineAddress } from "./clusterError.ts";
export { type CreatedJobContainer, createJobContainer } from "./createJobContainer.ts";
export { type DemuxedLogs, demuxLogs } from "./demuxLogs.ts";
export { type FoundJobContainer, findJobContainer } from "./findJobContainer.ts";
export { jobEnvironment } from "./jobEnvironment.ts";
export {
  ATTEMPT_LABEL,
  DEADLINE_LABEL,
  JOB_LABEL,
  type JobIdentity,
  jobContainerName,
  VERIFIER_LABEL,
} from "./jobLabels.ts";
export { prepareOutputDir } from "./prepareOutputDir.ts";
export { removeJobContainer } from "./removeJobContainer.ts";
export { type JobRunOptions, runJobContainer } from "./runJobContainer.ts";
export {
  DEFAULT_LIMITS,
  type ExtraMount,
  type GpuRequest,
  gpuDeviceRequests,
  JOB_GID,
  JOB_UID,
  type JobContainerOptions,
  type JobNetwork,
  jobContainerConfig,
  type SandboxLimits,
  sandboxHostConfig,
} from "./sandbox.ts";
export { type JobStartOptions, startJobContainer } from "./startJobContainer.ts";
export {
  type JobRunOutput,
  type JobRunResult,
  type JobWaitOptions,
  waitJobContainer,
} from "./waitJobContainer.ts";
