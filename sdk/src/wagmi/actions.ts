// The SDK's actions for a dapp holding a @wagmi/core Config (a browser wallet): each takes the config and
// one parameter object, `{ deployment, connector?, ...the viem action's parameters }`, builds the context
// from the config and calls the viem action itself, so validation, permits, simulation and ArthaTxError
// are the same code whichever way the SDK is called.
import type { Config } from "@wagmi/core";
import {
  type RegisterDatasetParameters,
  registerDataset as registerDatasetAction,
} from "../actions/datasets/registerDataset.ts";
import {
  type CancelJobParameters,
  type CancelJobReturnType,
  cancelJob as cancelJobAction,
} from "../actions/jobs/cancelJob.ts";
import { type GetJobParameters, getJob as getJobAction, type Job } from "../actions/jobs/getJob.ts";
import { submitAgentJob as submitAgentJobAction } from "../actions/jobs/submitAgentJob.ts";
import { submitInferJob as submitInferJobAction } from "../actions/jobs/submitInferJob.ts";
import {
  type SubmitJobParameters,
  type SubmitJobReturnType,
  submitJob as submitJobAction,
} from "../actions/jobs/submitJob.ts";
import { submitTrainJob as submitTrainJobAction } from "../actions/jobs/submitTrainJob.ts";
import {
  type JobEvent,
  type WatchJobParameters,
  watchJob as watchJobAction,
} from "../actions/jobs/watchJob.ts";
import {
  type AddCheckpointParameters,
  addCheckpoint as addCheckpointAction,
} from "../actions/models/addCheckpoint.ts";
import {
  type PublishModelParameters,
  publishModel as publishModelAction,
} from "../actions/models/publishModel.ts";
import {
  type RegisterModelParameters,
  registerModel as registerModelAction,
} from "../actions/models/registerModel.ts";
import {
  type EnsureAllowanceParameters,
  type EnsureAllowanceReturnType,
  ensureAllowance as ensureAllowanceAction,
} from "../actions/token/ensureAllowance.ts";
import {
  type ChallengeResultParameters,
  type ChallengeResultReturnType,
  challengeResult as challengeResultAction,
} from "../actions/verification/challengeResult.ts";
import type { ArthaWriteContext } from "../client/context.ts";
import {
  type ArthaConfigReadParameters,
  type ArthaConfigWriteParameters,
  readContextFromConfig,
  writeContextFromConfig,
} from "./contextFromConfig.ts";

/** A wagmi write action's parameters: the deployment (and optionally the connector) plus the action's own. */
export type WagmiWriteParameters<P> = ArthaConfigWriteParameters & P;
/** A wagmi read action's parameters: the deployment plus the action's own. */
export type WagmiReadParameters<P> = ArthaConfigReadParameters & P;

type Own<P> = Omit<P, keyof ArthaConfigWriteParameters>;

/** Splits the context's fields from the action's own parameters. */
function split<P extends ArthaConfigWriteParameters>(parameters: P): [ArthaConfigWriteParameters, Own<P>] {
  const { deployment, connector, indexerUrl, maxScanBlocks, ...own } = parameters;
  return [
    {
      deployment,
      ...(connector !== undefined ? { connector } : {}),
      ...(indexerUrl !== undefined ? { indexerUrl } : {}),
      ...(maxScanBlocks !== undefined ? { maxScanBlocks } : {}),
    },
    own,
  ];
}

/** A viem write action, run with the config's connected wallet (the same code, not a second copy). */
function wagmiWrite<P, R>(name: string, action: (ctx: ArthaWriteContext, parameters: P) => Promise<R>) {
  return async (config: Config, parameters: WagmiWriteParameters<P>): Promise<R> => {
    const [context, own] = split(parameters);
    return action(await writeContextFromConfig(config, context, name), own as P);
  };
}

/** submitJob (see the viem action) with the config's connected wallet. */
export const submitJob = wagmiWrite<SubmitJobParameters, SubmitJobReturnType>("submitJob", submitJobAction);
/** submitTrainJob with the config's connected wallet. */
export const submitTrainJob = wagmiWrite("submitTrainJob", submitTrainJobAction);
/** submitInferJob with the config's connected wallet. */
export const submitInferJob = wagmiWrite("submitInferJob", submitInferJobAction);
/** submitAgentJob with the config's connected wallet. */
export const submitAgentJob = wagmiWrite("submitAgentJob", submitAgentJobAction);
/** cancelJob with the config's connected wallet. */
export const cancelJob = wagmiWrite<CancelJobParameters, CancelJobReturnType>("cancelJob", cancelJobAction);
/** registerDataset with the config's connected wallet as owner. */
export const registerDataset = wagmiWrite<
  RegisterDatasetParameters,
  Awaited<ReturnType<typeof registerDatasetAction>>
>("registerDataset", registerDatasetAction);
/** registerModel with the config's connected wallet as owner. */
export const registerModel = wagmiWrite<
  RegisterModelParameters,
  Awaited<ReturnType<typeof registerModelAction>>
>("registerModel", registerModelAction);
/** addCheckpoint to a model the config's connected wallet owns. */
export const addCheckpoint = wagmiWrite<
  AddCheckpointParameters,
  Awaited<ReturnType<typeof addCheckpointAction>>
>("addCheckpoint", addCheckpointAction);
/** publishModel for a model the config's connected wallet owns. */
export const publishModel = wagmiWrite<
  PublishModelParameters,
  Awaited<ReturnType<typeof publishModelAction>>
>("publishModel", publishModelAction);
/** ensureAllowance from the config's connected wallet (exact amount, never unlimited). */
export const ensureAllowance = wagmiWrite<EnsureAllowanceParameters, EnsureAllowanceReturnType>(
  "ensureAllowance",
  ensureAllowanceAction,
);

/** challengeResult from the config's connected wallet: a requester disputes its job's result with a bond. */
export const challengeResult = wagmiWrite<ChallengeResultParameters, ChallengeResultReturnType>(
  "challengeResult",
  challengeResultAction,
);

/** getJob through the config's public client for the deployment's chain (no wallet needed). */
export async function getJob(
  config: Config,
  parameters: WagmiReadParameters<GetJobParameters>,
): Promise<Job> {
  const [context, own] = split(parameters);
  return getJobAction(readContextFromConfig(config, context, "getJob"), own);
}

/** watchJob through the config's public client for the deployment's chain (no wallet needed). */
export async function* watchJob(
  config: Config,
  parameters: WagmiReadParameters<WatchJobParameters>,
): AsyncGenerator<JobEvent, void> {
  const [context, own] = split(parameters);
  yield* watchJobAction(readContextFromConfig(config, context, "watchJob"), own);
}
