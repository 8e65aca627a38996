import { type Address, isAddressEqual, recoverTypedDataAddress } from "viem";
import { type BidDeployment, bidDomain, bidTypes, type SignedBid } from "./bid.ts";

export type VerifyBidParameters = BidDeployment & { bid: SignedBid };

/** The address that signed `bid` for this deployment (throws if the signature cannot be recovered at all). */
export async function recoverBidSigner({ bid, chainId, jobManager }: VerifyBidParameters): Promise<Address> {
  const { signature, ...message } = bid;
  return recoverTypedDataAddress({
    domain: bidDomain({ chainId, jobManager }),
    types: bidTypes,
    primaryType: "Bid",
    message,
    signature,
  });
}

/** Whether `bid` was signed by `bid.node` for this deployment. Never throws: a malformed signature is false. */
export async function verifyBid(parameters: VerifyBidParameters): Promise<boolean> {
  try {
    return isAddressEqual(await recoverBidSigner(parameters), parameters.bid.node);
  } catch {
    return false;
  }
}
