import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import { keccak256, toHex, zeroAddress } from "viem";

// Protocol parameters and their defaults. docs/contracts.md explains each; devnets override them with
// ignition/parameters/devnet.json (short windows for 1-second blocks).
export const defaultParams = {
  minStake: 100_000_000n, // 100 tokens at 6 decimals
  unbondingDelay: 7 * 24 * 3600,
  claimWindow: 60,
  challengeWindow: 24 * 3600,
  minBidWindow: 5,
  maxBidWindow: 24 * 3600,
  maxRuntimeLimit: 7 * 24 * 3600,
  bondBps: 15_000,
  cancelFeeBps: 1_000,
  verificationBudgetBps: 1_000,
  maxAttempts: 3,
  maxDependencies: 8,
  // ProofOfCompute (docs/verification.md)
  challengeBond: 10_000_000n, // 10 tokens
  absentPenalty: 20_000_000n, // 20 tokens
  disputeTimeout: 10 * 24 * 3600, // longer than maxRuntimeLimit plus the commit and reveal windows
  commitWindow: 3600,
  revealWindow: 3600,
  auditBps: 2_900, // the least rate that deters a cheater saving its whole price (docs/verification.md)
  slashVerifiersBps: 2_000,
  slashChallengerBps: 2_000,
  auditDelay: 5,
  verifiers: 3,
  maxRounds: 2,
} as const;

const JOBS_ROLE = keccak256(toHex("JOBS_ROLE"));
const CERTIFIER_ROLE = keccak256(toHex("CERTIFIER_ROLE"));

// The core contracts and their wiring, shared by the production module (existing token) and the devnet
// module (mock token): registries, job manager, proof contract, roles, proof binding.
function deployCore(m: IgnitionModuleBuilder, token: ContractFuture<string>) {
  const p = (name: keyof typeof defaultParams) => m.getParameter(name, defaultParams[name]);
  const admin = m.getAccount(0);
  const nodeRegistry = m.contract("NodeRegistry", [token, p("minStake"), p("unbondingDelay"), admin]);
  const modelRegistry = m.contract("ModelRegistry");
  const jobManager = m.contract("AIJobManager", [
    token,
    nodeRegistry,
    modelRegistry,
    {
      claimWindow: p("claimWindow"),
      challengeWindow: p("challengeWindow"),
      minBidWindow: p("minBidWindow"),
      maxBidWindow: p("maxBidWindow"),
      maxRuntimeLimit: p("maxRuntimeLimit"),
      bondBps: p("bondBps"),
      cancelFeeBps: p("cancelFeeBps"),
      verificationBudgetBps: p("verificationBudgetBps"),
      maxAttempts: p("maxAttempts"),
      maxDependencies: p("maxDependencies"),
    },
  ]);
  // Randomness: the zero address means this chain's block hashes (L1); an L2 deployment passes a VRF-backed
  // ISeedSource as the `seedSource` parameter.
  const seedSource = m.getParameter<string>("seedSource", zeroAddress);
  const proofOfCompute = m.contract("ProofOfCompute", [
    jobManager,
    token,
    nodeRegistry,
    seedSource,
    {
      challengeBond: p("challengeBond"),
      absentPenalty: p("absentPenalty"),
      disputeTimeout: p("disputeTimeout"),
      commitWindow: p("commitWindow"),
      revealWindow: p("revealWindow"),
      auditBps: p("auditBps"),
      slashVerifiersBps: p("slashVerifiersBps"),
      slashChallengerBps: p("slashChallengerBps"),
      auditDelay: p("auditDelay"),
      verifiers: p("verifiers"),
      maxRounds: p("maxRounds"),
    },
  ]);
  m.call(jobManager, "setProof", [proofOfCompute]);
  m.call(nodeRegistry, "grantRole", [JOBS_ROLE, jobManager], { id: "grantJobsToManager" });
  m.call(nodeRegistry, "grantRole", [JOBS_ROLE, proofOfCompute], { id: "grantJobsToProof" });
  m.call(nodeRegistry, "grantRole", [CERTIFIER_ROLE, m.getParameter("certifier", admin)], {
    id: "grantCertifier",
  });
  return { nodeRegistry, modelRegistry, jobManager, proofOfCompute };
}

/** Production: the payment/stake token already exists; pass its address as the `token` parameter. */
export const ArthaModule = buildModule("Artha", (m) => {
  const token = m.contractAt("IERC20", m.getParameter<string>("token"));
  return { token, ...deployCore(m, token) };
});

/** Devnets: deploys the mock token (6 decimals, permit, open mint) too. */
export const ArthaDevnetModule = buildModule("ArthaDevnet", (m) => {
  const token = m.contract("MockToken");
  return { token, ...deployCore(m, token) };
});

export default ArthaDevnetModule;
