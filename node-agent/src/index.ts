// @arthaain/node-agent: the operator's daemon, one module per pipeline stage (DESIGN §4), wired in
// agent/startAgent.ts: watch → evaluate → price → market (bid, decide) → claim → inputs → cluster (run) →
// commit/submit → settle; state/ keeps every job's progress so a restart resumes it.

export { type Agent, AgentStartError, type StartAgentOptions, startAgent } from "./agent/startAgent.ts";
export { createTxSender, type TxOutcome, type TxRequest, type TxSender } from "./chain/createTxSender.ts";
export {
  type AgentConfig,
  type AgentConfigInput,
  loadAgentConfig,
  parseAgentConfig,
} from "./config/agentConfig.ts";
export { detectHardware, type Hardware } from "./hardware/index.ts";
export { openStore, type Store, type StoredJob, type Work, type WorkPhase } from "./state/openStore.ts";
export { type JobEvent, type JobEventName, jobEventNames, toJobEvents } from "./watch/jobEvents.ts";
export { type JobEventBatch, type WatchJobEventsOptions, watchJobEvents } from "./watch/watchJobEvents.ts";
