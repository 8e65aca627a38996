/** A write asked of a wagmi config with no wallet account connected (connect one first). */
export class WalletNotConnectedError extends Error {
  override readonly name = "WalletNotConnectedError";
  /** The action that needed the wallet, e.g. "submitJob". */
  readonly action: string;
  constructor(action: string, message: string) {
    super(`${action}: ${message}`);
    this.action = action;
  }
}

/** The wallet is on another chain than the deployment (switch chains, then retry); nothing was sent. */
export class WalletChainMismatchError extends Error {
  override readonly name = "WalletChainMismatchError";
  readonly action: string;
  /** The chain the wallet is connected to. */
  readonly walletChainId: number;
  /** The chain the deployment (and so the contracts) is on. */
  readonly deploymentChainId: number;
  constructor(action: string, walletChainId: number, deploymentChainId: number) {
    super(
      `${action}: the wallet is connected to chain ${walletChainId} but the deployment is on chain ` +
        `${deploymentChainId}; switch the wallet to chain ${deploymentChainId} ` +
        `(switchChain(config, { chainId: ${deploymentChainId} })) and retry`,
    );
    this.action = action;
    this.walletChainId = walletChainId;
    this.deploymentChainId = deploymentChainId;
  }
}

/** The wagmi config has no chain (and so no transport) for the deployment's chain id. */
export class ChainNotInConfigError extends Error {
  override readonly name = "ChainNotInConfigError";
  readonly action: string;
  readonly deploymentChainId: number;
  /** The chain ids the config has. */
  readonly configChainIds: number[];
  constructor(action: string, deploymentChainId: number, configChainIds: number[]) {
    super(
      `${action}: the deployment is on chain ${deploymentChainId} but the wagmi config only has chains ` +
        `${configChainIds.join(", ")}; add chain ${deploymentChainId} to createConfig's chains and transports`,
    );
    this.action = action;
    this.deploymentChainId = deploymentChainId;
    this.configChainIds = configChainIds;
  }
}
