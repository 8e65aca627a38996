import type { Deployment } from "@arthaain/sdk";
import type Docker from "dockerode";
import type { Account, Address, Chain, LocalAccount, PublicClient, Transport, WalletClient } from "viem";
import type { TxSender } from "../chain/createTxSender.ts";
import type { AgentConfig } from "../config/agentConfig.ts";
import type { Hardware } from "../hardware/index.ts";
import type { Log } from "../log.ts";
import type { BallotBox, Market } from "../market/index.ts";
import type { Metrics } from "../metrics/createMetrics.ts";
import type { PricingStrategy } from "../price/index.ts";
import type { Store } from "../state/openStore.ts";
import type { DrawCache } from "./drawCache.ts";

/**
 * Misbehaviour on purpose, for the end-to-end tests of the verification protocol only
 * (verifyAgents.test.ts: a cheating worker caught, a verifier that never reveals slashed). Deliberately not
 * part of the operator config file: only code that starts an agent (startAgent's options) can turn a fault on.
 */
export type AgentFaults = {
  /** Alter a byte of our outputs after each paid run, so the result we submit is not the honest one. */
  tamperResult?: boolean;
  /**
   * As a verifier, commit but never reveal (slashable as absent once the round is over); with signed votes,
   * share the ballot but never the reveal, which sends the round on-chain.
   */
  skipReveal?: boolean;
};

/** Everything a pipeline stage may use; built once by startAgent, read-only for the stages. */
export type AgentContext = {
  config: AgentConfig;
  deployment: Deployment;
  log: Log;
  store: Store;
  publicClient: PublicClient;
  account: LocalAccount;
  address: Address;
  sender: TxSender;
  market: Market;
  /** The verifiers' gossip (signed votes); absent when verify.signedVotes is off. */
  ballots?: BallotBox;
  /** Each open dispute's verifier draw, read at most about once a second (shared with `ballots`). */
  draws: DrawCache;
  /** For signatures only (ballots): every transaction goes through `sender`, which owns the nonce. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  docker: Docker;
  hardware: Hardware;
  pricing: PricingStrategy;
  metrics: Metrics;
  /** Test-only misbehaviour (see AgentFaults); absent in every real agent. */
  faults?: AgentFaults;
  /** Seconds after `resultAt` before a result can be finalized (the job manager's immutable parameter). */
  challengeWindow: bigint;
  /** Seconds after a dispute opened from which it may fall back without a majority (ProofOfCompute's). */
  disputeTimeout: bigint;
  /** Seconds after `bidEnd` during which nodes claim. */
  claimWindow: bigint;
  /**
   * Share of a job's maxPrice reserved for its verifiers, in basis points (the job manager's immutable): a job
   * is claimed at most at `maxClaimPrice(job.maxPrice, verificationBudgetBps)`.
   */
  verificationBudgetBps: bigint;
  /** The latest block's timestamp: the clock every on-chain window is measured by. */
  chainNow(): bigint;
  /** The latest block's number (seed blocks of audit draws are counted in blocks). */
  chainHead(): bigint;
  /** The URL this agent's API is reached at (output URIs point there). */
  apiUrl(): string;
  /** Where one attempt of one job keeps its spec, inputs, outputs and logs. */
  jobDir(jobId: bigint, attempt: number): string;
};
