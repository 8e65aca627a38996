// From resolved settings to the SDK's contexts: the deployment file read, the RPC checked (reachable, and
// serving the deployment's chain), the signing key loaded only by commands that send transactions.
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
import { tokenUnits } from "../actions/token/tokenBalance.ts";
import type { ArthaReadContext, ArthaWriteContext } from "../client/context.ts";
import { readDeploymentFile } from "../deployments/readDeployment.ts";
import { loadPrivateKey } from "../wallet/keystore.ts";
import { type ResolvedConfig, requireDeployment } from "./config.ts";

export type Token = Awaited<ReturnType<typeof tokenUnits>>;

export type ReadSession = ArthaReadContext & {
  chain: Chain;
  rpcUrl: string;
  /** The token's decimals, symbol and formatter of amounts (read once). */
  token(): Promise<Token>;
};
export type WriteSession = ReadSession & ArthaWriteContext;

/** A chain that does not answer: the message names the URL, which is what a person has to fix. */
export class ChainUnreachableError extends Error {
  override readonly name = "ChainUnreachableError";
}

export async function connectRead(config: ResolvedConfig): Promise<ReadSession> {
  const deploymentFile = requireDeployment(config);
  const deployment = await readDeploymentFile(deploymentFile.value);
  const rpcUrl = config.rpcUrl.value;
  const chain = defineChain({
    id: deployment.chainId,
    name: `chain ${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl, { retryCount: 1, timeout: 15_000 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 500 }) as PublicClient;
  const chainId = await publicClient.getChainId().catch((error: Error) => {
    const why = (error as { details?: string }).details ?? error.message.split("\n")[0];
    throw new ChainUnreachableError(`cannot reach the chain at ${rpcUrl} (${config.rpcUrl.source}): ${why}`);
  });
  if (chainId !== deployment.chainId) {
    throw new Error(
      `wrong chain: the deployment ${deploymentFile.value} is for chain ${deployment.chainId}, but the RPC at ${rpcUrl} serves chain ${chainId}`,
    );
  }
  let token: Promise<Token> | undefined;
  const session: ReadSession = {
    publicClient,
    deployment,
    chain,
    rpcUrl,
    ...(config.indexerUrl ? { indexerUrl: config.indexerUrl.value } : {}),
    token: () => {
      token ??= tokenUnits(session);
      return token;
    },
  };
  return session;
}

/**
 * A write session signing with the configured wallet, or with `key` when the caller already holds one (a
 * script acting as a known devnet account).
 */
export async function connectWrite(config: ResolvedConfig, key?: Hex): Promise<WriteSession> {
  const privateKey = key ?? (await configuredKey(config));
  const session = await connectRead(config);
  const walletClient = createWalletClient({
    chain: session.chain,
    transport: http(session.rpcUrl, { retryCount: 1, timeout: 30_000 }),
    account: privateKeyToAccount(privateKey),
  }) as WalletClient<Transport, Chain, Account>;
  return { ...session, walletClient };
}

/** The key of the configured wallet; read before any network round trip, so a missing password is said first. */
async function configuredKey(config: ResolvedConfig): Promise<Hex> {
  if (!config.wallet) {
    throw new Error(
      'no wallet: set ARTHAI_KEYSTORE (a keystore v3 file, or "keystore" in the config file) with ARTHAI_KEYSTORE_PASSWORD, or ARTHAI_PRIVATE_KEY',
    );
  }
  return loadPrivateKey({
    ...(config.wallet.keystore
      ? { keystoreFile: config.wallet.keystore, password: process.env.ARTHAI_KEYSTORE_PASSWORD }
      : { privateKey: process.env.ARTHAI_PRIVATE_KEY }),
    passwordVar: "ARTHAI_KEYSTORE_PASSWORD",
    privateKeyVar: "ARTHAI_PRIVATE_KEY",
  });
}
