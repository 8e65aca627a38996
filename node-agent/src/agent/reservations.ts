import type { Store, VerificationPhase, WorkPhase } from "../state/openStore.ts";

/** Phases in which a job holds capacity on this host: from the bid until its container exits. */
const holding: readonly WorkPhase[] = ["bid", "claimed", "assigned", "running"];
/** A verifier's re-run holds capacity while its container runs. */
const verifying: readonly VerificationPhase[] = ["running"];

/**
 * The capacity promised to other jobs, so a new bid never over-commits the host: paid work, and the
 * verifier re-runs in progress (at most `verify.maxConcurrent` of them).
 */
export function activeReservations(store: Store, except?: bigint) {
  const paid = store
    .allWork({ active: true })
    .filter((w) => holding.includes(w.phase) && w.jobId !== except && w.data.reservation)
    .map((w) => ({ jobId: w.jobId, ...w.data.reservation! }));
  return [...paid, ...verificationReservations(store)];
}

/** Capacity held by verifier re-runs, keyed apart from paid jobs (a negative id: never a job's). */
export function verificationReservations(store: Store) {
  return store
    .allVerifications({ active: true })
    .filter((v) => verifying.includes(v.phase) && v.data.reservation)
    .map((v) => ({ jobId: -v.jobId, ...v.data.reservation! }));
}
