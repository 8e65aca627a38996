// Protocol enums and units shared by every package. The order of each list is the Solidity enum's order
// (contracts/interfaces/IAIJobManager.sol); sdk/src/constants.test.ts checks that they agree.

export const jobStates = [
  "None",
  "Open",
  "Claimed",
  "ResultSubmitted",
  "Disputed",
  "Finalized",
  "Cancelled",
  "Expired",
  "Failed",
] as const;
export type JobStateName = (typeof jobStates)[number];
/** Job state name -> the uint8 the contracts use. */
export const JobState = Object.fromEntries(jobStates.map((s, i) => [s, i])) as {
  [K in JobStateName]: number;
};

/** A job state as SDK results, the CLI and the indexer spell it: "open", "resultSubmitted", … */
export type JobStateLabel = Uncapitalize<Exclude<JobStateName, "None">>;

/** The label of an on-chain state; throws for None and values outside the enum. */
export function jobStateLabel(state: number): JobStateLabel {
  const name = jobStates[state];
  if (!name || name === "None") throw new Error(`unknown job state ${state}`);
  return `${name[0]!.toLowerCase()}${name.slice(1)}` as JobStateLabel;
}

export const jobKinds = ["Train", "Infer", "Agent"] as const;
export type JobKindName = (typeof jobKinds)[number];
/** Job kind name -> the uint8 the contracts use. */
export const JobKind = Object.fromEntries(jobKinds.map((k, i) => [k, i])) as { [K in JobKindName]: number };

/** States from which a job never moves again. */
export const terminalJobStates: readonly JobStateName[] = ["Finalized", "Cancelled", "Expired", "Failed"];

/** Basis-point denominator of bondBps, cancelFeeBps and verificationBudgetBps. */
export const BPS = 10_000n;

/** Bit 7 of a job's `verification` byte: metric mode (verifiers compare a named metric within a tolerance). */
export const METRIC_MODE = 0x80;
/** Metric-mode votes carry the verifier's metric as an integer: the value times this, rounded (int256). */
export const METRIC_SCALE = 1_000_000;
