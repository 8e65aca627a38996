import { Counter, Gauge, Registry } from "prom-client";

/** The agent's Prometheus metrics, in a registry of its own (several agents can share a process in tests). */
export function createMetrics() {
  const registry = new Registry();
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: `artha_node_${name}`, help, labelNames, registers: [registry] });
  return {
    registry,
    jobsSeen: counter("jobs_seen_total", "Jobs submitted on-chain that the agent saw"),
    jobsSkipped: counter("jobs_skipped_total", "Jobs the agent did not bid on, by reason", ["reason"]),
    bids: counter("bids_total", "Bids the agent published"),
    bidsReceived: counter("bids_received_total", "Valid bids received over gossip"),
    claimsSent: counter("claims_sent_total", "Claim transactions the agent broadcast"),
    claimsWon: counter("claims_won_total", "Jobs assigned to this node when the claim window closed"),
    claimsLost: counter("claims_lost_total", "Jobs bid on and assigned to another node"),
    runs: counter("runs_total", "Job containers started"),
    failures: counter("failures_total", "Jobs that failed on this node, by stage", ["stage"]),
    results: counter("results_submitted_total", "Results committed on-chain"),
    verifications: counter(
      "verifications_total",
      "Dispute rounds this node was drawn for, by what it did: rerun, or spare_unneeded (a spare whose re-run the first verifiers' votes made unnecessary)",
      ["outcome"],
    ),
    earnings: counter("earnings_total", "Token base units earned by finalized jobs"),
    rpcErrors: counter("rpc_errors_total", "RPC failures (each retried)"),
    head: new Gauge({
      name: "artha_node_chain_head",
      help: "Latest chain block seen",
      registers: [registry],
    }),
    running: new Gauge({
      name: "artha_node_jobs_running",
      help: "Job containers running",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
