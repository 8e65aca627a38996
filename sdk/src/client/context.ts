import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";
import type { Deployment } from "../deployments/deployment.ts";

/**
 * What every SDK read action takes: a viem public client and the deployment it talks to. `indexerUrl`,
 * when set, serves lists, search and lineage; without it they come from a bounded scan of events.
 */
export type ArthaReadContext = {
  publicClient: PublicClient;
  deployment: Deployment;
  indexerUrl?: string;
  /** Widest block range one event scan may cover (lists without an indexer). Default 100000. */
  maxScanBlocks?: number;
};

/** What every SDK write action takes: the read context plus a wallet client with an account. */
export type ArthaWriteContext = ArthaReadContext & {
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
};
