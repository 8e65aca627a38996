import type { Deployment } from "@arthaain/sdk";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

export class ChainConnectError extends Error {
  override readonly name = "ChainConnectError";
}

/**
 * Clients for the deployment's chain at `rpcUrl`, after checking that the endpoint answers and serves the
 * deployment's chain (a wrong endpoint is the most common operator mistake).
 */
export async function connectChain(o: { rpcUrl: string; deployment: Deployment; privateKey: Hex }) {
  const chain = defineChain({
    id: o.deployment.chainId,
    name: `chain ${o.deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [o.rpcUrl] } },
  });
  const transport = http(o.rpcUrl, { retryCount: 1, timeout: 15_000 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 }) as PublicClient;
  const chainId = await publicClient.getChainId().catch((error: Error) => {
    throw new ChainConnectError(`RPC ${o.rpcUrl} is unreachable (${error.message.split("\n")[0]})`);
  });
  if (chainId !== o.deployment.chainId) {
    throw new ChainConnectError(
      `RPC ${o.rpcUrl} serves chain ${chainId}, but the deployment is on chain ${o.deployment.chainId}`,
    );
  }
  const account = privateKeyToAccount(o.privateKey);
  const walletClient = createWalletClient({ chain, transport, account }) as WalletClient<
    Transport,
    Chain,
    Account
  >;
  return { chain, publicClient, walletClient, account };
}
