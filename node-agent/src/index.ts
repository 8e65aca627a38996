// @arthaain/node-agent: the operator's daemon, one module per pipeline stage (DESIGN §4).

export { openStore, type Store, type StoredJob } from "./state/openStore.ts";
export { type JobEvent, type JobEventName, jobEventNames, toJobEvents } from "./watch/jobEvents.ts";
export { type JobEventBatch, type WatchJobEventsOptions, watchJobEvents } from "./watch/watchJobEvents.ts";
