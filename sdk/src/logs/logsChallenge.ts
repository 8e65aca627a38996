import type { Address } from "viem";

/**
 * The message a requester signs (EIP-191 personal_sign) to read its job's logs from the node that ran it:
 * a fresh challenge from that node, bound to the deployment and the job so a signature is good for one
 * read of one job only.
 */
export function logsChallengeMessage(p: {
  chainId: number;
  jobManager: Address;
  jobId: bigint;
  challenge: string;
}) {
  return `ArthaAIN job logs\nchain: ${p.chainId}\njob manager: ${p.jobManager.toLowerCase()}\njob: ${p.jobId}\nchallenge: ${p.challenge}`;
}

/** Header names of a logs request: the challenge the node issued and the requester's signature over it. */
export const logsAuthHeaders = { challenge: "x-artha-challenge", signature: "x-artha-signature" } as const;
