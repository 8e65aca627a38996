import { getAddress, isAddressEqual, zeroAddress } from "viem";
import type { ArthaWriteContext } from "../../client/context.ts";
import { jobStates } from "../../constants.ts";
import { logsAuthHeaders, logsChallengeMessage } from "../../logs/logsChallenge.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { openNodeApi } from "../nodes/nodeApi.ts";

export type GetJobLogsParameters = {
  jobId: bigint;
  /** The fetch to reach the node with; default the global one. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
};

// A node's challenge goes into the message the wallet signs: only a plain token is accepted, so a node
// cannot make the wallet sign text of its choosing.
const CHALLENGE = /^[0-9A-Za-z_-]{16,256}$/;

/**
 * A job's logs, from the node that ran it (the job's claimer, at the API URL it registered). The node
 * serves them only to the job's requester: the wallet signs the node's fresh challenge (EIP-191, see
 * logsChallengeMessage). Throws before contacting the node when the wallet is not the requester or the job
 * was never claimed; throws naming the URL when the node is unreachable, and with its status and message
 * when it refuses.
 */
export async function getJobLogs(ctx: ArthaWriteContext, p: GetJobLogsParameters): Promise<string> {
  const { jobId } = p;
  const { jobManager } = ctx.deployment.contracts;
  const job = await getJobRecord(ctx.publicClient, { jobManager, jobId });
  const account = ctx.walletClient.account;
  if (!isAddressEqual(account.address, job.requester)) {
    throw new Error(
      `job ${jobId}'s logs are served only to its requester ${job.requester}; this wallet is ${getAddress(account.address)}`,
    );
  }
  if (isAddressEqual(job.claimer, zeroAddress)) {
    const state = jobStates[job.state];
    throw new Error(
      state === "Open"
        ? `job ${jobId} has not been claimed yet (state Open): no node has its logs`
        : `job ${jobId} has no assigned node (state ${state}): no node to ask for its logs`,
    );
  }
  const node = await openNodeApi(ctx, job.claimer, p.fetch);

  const res = await node.get(`/jobs/${jobId}/logs/challenge`, `a logs challenge for job ${jobId}`, {
    signal: p.signal,
  });
  const issued = (await res.json().catch(() => undefined)) as { challenge?: unknown } | undefined;
  const challenge = issued?.challenge;
  if (typeof challenge !== "string" || !CHALLENGE.test(challenge)) {
    throw new Error(`node ${node.operator} at ${node.url} sent no usable logs challenge for job ${jobId}`);
  }
  // The message is built here, not taken from the node, so it is always bound to this deployment and job.
  const message = logsChallengeMessage({ chainId: ctx.deployment.chainId, jobManager, jobId, challenge });
  const signature = await ctx.walletClient.signMessage({ account, message });
  const logs = await node.get(`/jobs/${jobId}/logs`, `job ${jobId}'s logs`, {
    headers: { [logsAuthHeaders.challenge]: challenge, [logsAuthHeaders.signature]: signature },
    signal: p.signal,
  });
  return logs.text();
}
