import {
  type Account,
  type Chain,
  isAddressEqual,
  type LocalAccount,
  type Transport,
  type WalletClient,
} from "viem";
import { type Bid, type BidDeployment, bidDomain, bidTypes, type SignedBid } from "./bid.ts";

/** Who signs: a local account (private key in process) or a wallet client with an account attached. */
export type BidSigner = LocalAccount | WalletClient<Transport, Chain | undefined, Account>;

export type SignBidParameters = BidDeployment & { signer: BidSigner; bid: Bid };

/**
 * Signs `bid` as EIP-712 typed data for the deployment. The signer must be `bid.node`: a bid signed by
 * another key fails every receiver's check, so it is refused here, where the mistake is made.
 */
export async function signBid({ signer, bid, chainId, jobManager }: SignBidParameters): Promise<SignedBid> {
  const typed = {
    domain: bidDomain({ chainId, jobManager }),
    types: bidTypes,
    primaryType: "Bid" as const,
    message: bid,
  };
  const isLocal = "type" in signer && signer.type === "local";
  const address = isLocal ? (signer as LocalAccount).address : (signer as WalletClient).account?.address;
  if (!address) throw new Error("signBid: the wallet client has no account; create it with `account`");
  if (!isAddressEqual(address, bid.node)) {
    throw new Error(
      `signBid: bid.node is ${bid.node} but the signer is ${address}; a node signs only its own bids`,
    );
  }
  const signature = isLocal
    ? await (signer as LocalAccount).signTypedData(typed)
    : await (signer as WalletClient<Transport, Chain | undefined, Account>).signTypedData({
        account: (signer as WalletClient<Transport, Chain | undefined, Account>).account,
        ...typed,
      });
  return { ...bid, signature };
}
