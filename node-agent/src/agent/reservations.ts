import type { Store, WorkPhase } from "../state/openStore.ts";

/** Phases in which a job holds capacity on this host: from the bid until its container exits. */
const holding: readonly WorkPhase[] = ["bid", "claimed", "assigned", "running"];

/** The capacity promised to other jobs, so a new bid never over-commits the host. */
export function activeReservations(store: Store, except?: bigint) {
  return store
    .allWork({ active: true })
    .filter((w) => holding.includes(w.phase) && w.jobId !== except && w.data.reservation)
    .map((w) => ({ jobId: w.jobId, ...w.data.reservation! }));
}
