// A wagmi Config is one more way to get the viem clients every SDK action takes: these turn it into an
// ArthaReadContext / ArthaWriteContext, so the wagmi actions are the viem actions, not a second copy.
import { type Config, type Connector, getPublicClient, getWalletClient } from "@wagmi/core";
import type { PublicClient } from "viem";
import type { ArthaReadContext, ArthaWriteContext } from "../client/context.ts";
import type { Deployment } from "../deployments/deployment.ts";
import { ChainNotInConfigError, WalletChainMismatchError, WalletNotConnectedError } from "./errors.ts";

/** What every wagmi read action takes besides its own parameters. */
export type ArthaConfigReadParameters = {
  /** The contracts to talk to; its `chainId` picks the config's chain and transport. */
  deployment: Deployment;
  /** See ArthaReadContext. */
  indexerUrl?: string;
  /** See ArthaReadContext. */
  maxScanBlocks?: number;
};

/** What every wagmi write action takes besides its own parameters. */
export type ArthaConfigWriteParameters = ArthaConfigReadParameters & {
  /** The wallet to act with. Default: the config's current connection. */
  connector?: Connector;
};

/**
 * The read context of a wagmi config: its public client for the deployment's chain (the config's transport
 * for that chain id). Needs no wallet. Throws ChainNotInConfigError when the config has no such chain.
 */
export function readContextFromConfig(
  config: Config,
  { deployment, indexerUrl, maxScanBlocks }: ArthaConfigReadParameters,
  action = "read",
): ArthaReadContext {
  const chainId = deployment.chainId;
  const publicClient = config.chains.some((chain) => chain.id === chainId)
    ? getPublicClient(config, { chainId })
    : undefined;
  if (!publicClient) {
    throw new ChainNotInConfigError(
      action,
      chainId,
      config.chains.map((chain) => chain.id),
    );
  }
  return {
    publicClient: publicClient as PublicClient,
    deployment,
    ...(indexerUrl !== undefined ? { indexerUrl } : {}),
    ...(maxScanBlocks !== undefined ? { maxScanBlocks } : {}),
  };
}

/**
 * The write context of a wagmi config: the read context plus the connected wallet's client (its
 * connector's provider, so transactions and signatures go to the wallet). Checked before anything is read
 * or sent: a connected account (WalletNotConnectedError) on the deployment's chain
 * (WalletChainMismatchError naming both chain ids).
 */
export async function writeContextFromConfig(
  config: Config,
  { connector, ...read }: ArthaConfigWriteParameters,
  action = "write",
): Promise<ArthaWriteContext> {
  const readContext = readContextFromConfig(config, read, action);
  const chainId = read.deployment.chainId;
  const { connections, current } = config.state;
  const connection = connector
    ? connections.get(connector.uid)
    : current !== null
      ? connections.get(current)
      : undefined;
  if (!connection || connection.accounts.length === 0) {
    throw new WalletNotConnectedError(
      action,
      connector
        ? `the wallet ${connector.name} is not connected; connect it (connect(config, { connector })) first`
        : "no wallet account is connected to the wagmi config; connect one (connect(config, { connector })) first",
    );
  }
  if (connection.chainId !== chainId) throw new WalletChainMismatchError(action, connection.chainId, chainId);
  try {
    // The connection's own account: a connector asked afresh may list others first (eth_accounts).
    const walletClient = await getWalletClient(config, {
      chainId,
      account: connection.accounts[0]!,
      ...(connector ? { connector } : {}),
    });
    return { ...readContext, walletClient };
  } catch (error) {
    // The wallet moved to another chain without wagmi having seen it yet: the same mistake, said the same way.
    if ((error as Error).name === "ConnectorChainMismatchError") {
      const walletChainId = await connection.connector.getChainId().catch(() => connection.chainId);
      throw new WalletChainMismatchError(action, walletChainId, chainId);
    }
    throw error;
  }
}
