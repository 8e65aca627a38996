// @arthaain/sdk: the one source of truth for ABIs, deployments, protocol constants and shared types.
export * from "./abi/generated.ts";
export { type GetJobRecordParameters, getJobRecord, type JobRecord } from "./actions/getJobRecord.ts";
export * from "./actions/index.ts";
export * from "./constants.ts";
export { type Deployment, parseDeployment } from "./deployments/deployment.ts";
export { logsAuthHeaders, logsChallengeMessage } from "./logs/logsChallenge.ts";
export * from "./market/index.ts";
export * from "./outputs/index.ts";
export * from "./spec/index.ts";
export { parseTokenAmount, tokenAmountText } from "./units/tokenAmount.ts";
