// What the indexer keeps, one table per thing a reader asks about. Current state (node, dataset, model,
// job) sits beside the history that produced it (nodeEvent, jobEvent, claim, result, challenge, payout),
// so a row can always be traced to its events. Every row carries the block, time and transaction it
// came from. Integers wider than 16 bits are `bigint` (Postgres numeric): uint32 ids do not fit int4.
import { index, onchainTable, primaryKey, relations } from "ponder";
import type { Told } from "./src/story.ts";

type ColumnBuilders = Parameters<Extract<Parameters<typeof onchainTable>[1], (t: never) => unknown>>[0];

/** Where a row came from on-chain. */
const origin = (t: ColumnBuilders) => ({
  block: t.bigint().notNull(),
  timestamp: t.bigint().notNull(),
  tx: t.hex().notNull(),
});

export const node = onchainTable(
  "node",
  (t) => ({
    address: t.hex().primaryKey(),
    active: t.boolean().notNull(),
    stake: t.bigint().notNull(),
    unbonding: t.bigint().notNull(),
    unbondingEnds: t.bigint().notNull(),
    certLevel: t.integer().notNull(),
    certExpiry: t.bigint().notNull(),
    gpuCount: t.integer().notNull(),
    vramGbPerGpu: t.integer().notNull(),
    cpuCores: t.integer().notNull(),
    ramGb: t.integer().notNull(),
    runtimeFlags: t.bigint().notNull(),
    gpuModel: t.text().notNull(),
    peerId: t.text().notNull(),
    multiaddrs: t.text().array().notNull(),
    apiUrl: t.text().notNull(),
    /** Claims it made; `outbid` of them were replaced by a lower claim. */
    claims: t.integer().notNull(),
    outbid: t.integer().notNull(),
    /** Jobs it was paid for (finalized). */
    completed: t.integer().notNull(),
    /** Jobs it failed, its bond slashed either way: deadlines missed, and results the verifiers rejected. */
    failed: t.integer().notNull(),
    slashes: t.integer().notNull(),
    slashed: t.bigint().notNull(),
    /** Job prices, cancellation fees and verifier fees credited to it. */
    earnings: t.bigint().notNull(),
    registeredBlock: t.bigint().notNull(),
    registeredAt: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (t) => ({ activeIdx: index().on(t.active) }),
);

/** Every NodeRegistry event of a node, plus its job-side events (claims, payments, slashes). */
export const nodeEvent = onchainTable(
  "node_event",
  (t) => ({
    id: t.text().primaryKey(),
    node: t.hex().notNull(),
    name: t.text().notNull(),
    jobId: t.bigint(),
    amount: t.bigint(),
    data: t.json(),
    ...origin(t),
  }),
  (t) => ({ nodeIdx: index().on(t.node, t.block) }),
);

export const dataset = onchainTable("dataset", (t) => ({
  id: t.bigint().primaryKey(),
  owner: t.hex().notNull(),
  contentHash: t.hex().notNull(),
  uri: t.text().notNull(),
  size: t.bigint().notNull(),
  license: t.text().notNull(),
  policyFlags: t.bigint().notNull(),
  ...origin(t),
}));

export const model = onchainTable(
  "model",
  (t) => ({
    id: t.bigint().primaryKey(),
    owner: t.hex().notNull(),
    /** 0 for none. */
    parentId: t.bigint().notNull(),
    contentHash: t.hex().notNull(),
    uri: t.text().notNull(),
    name: t.text().notNull(),
    license: t.text().notNull(),
    published: t.boolean().notNull(),
    datasetIds: t.bigint().array().notNull(),
    ...origin(t),
  }),
  (t) => ({ parentIdx: index().on(t.parentId), ownerIdx: index().on(t.owner) }),
);

/** Lineage edge model → dataset it was trained on (also in model.datasetIds; this one is indexed both ways). */
export const modelDataset = onchainTable(
  "model_dataset",
  (t) => ({ modelId: t.bigint().notNull(), datasetId: t.bigint().notNull() }),
  (t) => ({ pk: primaryKey({ columns: [t.modelId, t.datasetId] }), datasetIdx: index().on(t.datasetId) }),
);

/**
 * A checkpoint of a model: added by its owner ("registry", id the registry's id) or the output of a
 * finalized train job ("job", id `job-<jobId>`, with the job, its dataset and the node that ran it).
 * `checkpoint:<id>` is its vertex id in lineage graphs, as the SDK names it.
 */
export const checkpoint = onchainTable(
  "checkpoint",
  (t) => ({
    id: t.text().primaryKey(),
    source: t.text().notNull(),
    registryId: t.bigint(),
    modelId: t.bigint().notNull(),
    jobId: t.bigint(),
    node: t.hex(),
    datasetId: t.bigint(),
    contentHash: t.hex().notNull(),
    uri: t.text().notNull(),
    step: t.bigint(),
    ...origin(t),
  }),
  (t) => ({ modelIdx: index().on(t.modelId) }),
);

/** A job's current state, from the record its latest event carried. */
export const job = onchainTable(
  "job",
  (t) => ({
    id: t.bigint().primaryKey(),
    state: t.text().notNull(),
    kind: t.text().notNull(),
    requester: t.hex().notNull(),
    modelId: t.bigint().notNull(),
    datasetId: t.bigint().notNull(),
    imageDigest: t.hex().notNull(),
    specHash: t.hex().notNull(),
    specUri: t.text().notNull(),
    dependsOn: t.bigint().array().notNull(),
    maxPrice: t.bigint().notNull(),
    /** The current claim's price (0 before any claim). */
    price: t.bigint().notNull(),
    /** The current claimer or assigned node; null before any claim. */
    node: t.hex(),
    attempts: t.integer().notNull(),
    bidEnd: t.bigint().notNull(),
    maxRuntime: t.bigint().notNull(),
    resultAt: t.bigint().notNull(),
    outputRoot: t.hex(),
    outputUri: t.text(),
    metricsHash: t.hex(),
    /** Who challenged its result; null without a challenge (an audit's dispute has none). */
    challenger: t.hex(),
    /** The job's record exactly as the contract last emitted it (what every job call takes). */
    record: t.json().notNull(),
    submittedBlock: t.bigint().notNull(),
    submittedAt: t.bigint().notNull(),
    submittedTx: t.hex().notNull(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  // Each filter of /jobs with the id it pages by (newest first): a page is a walk down one index.
  (t) => ({
    stateIdx: index().on(t.state, t.id),
    requesterIdx: index().on(t.requester, t.id),
    nodeIdx: index().on(t.node, t.id),
    modelIdx: index().on(t.modelId, t.id),
    datasetIdx: index().on(t.datasetId, t.id),
    kindIdx: index().on(t.kind, t.id),
  }),
);

/** A job's timeline: every event that concerned it, with the state it left the job in. */
export const jobEvent = onchainTable(
  "job_event",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    name: t.text().notNull(),
    state: t.text().notNull(),
    node: t.hex(),
    amount: t.bigint(),
    data: t.json(),
    logIndex: t.integer().notNull(),
    ...origin(t),
  }),
  (t) => ({ jobIdx: index().on(t.jobId, t.block, t.logIndex) }),
);

/**
 * A job's whole story as /jobs/:id serves it (src/story.ts): copies of its timeline, claim, result,
 * challenge and payout rows in the order they happened, kept as they happen so the route is one read.
 */
export const jobStory = onchainTable("job_story", (t) => ({
  jobId: t.bigint().primaryKey(),
  timeline: t.json().$type<Told[]>().notNull(),
  claims: t.json().$type<Told[]>().notNull(),
  results: t.json().$type<Told[]>().notNull(),
  challenges: t.json().$type<Told[]>().notNull(),
  payouts: t.json().$type<Told[]>().notNull(),
}));

export const claim = onchainTable(
  "claim",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    node: t.hex().notNull(),
    /** The claimer this claim replaced, if any. */
    previous: t.hex(),
    price: t.bigint().notNull(),
    attempt: t.integer().notNull(),
    ...origin(t),
  }),
  (t) => ({ jobIdx: index().on(t.jobId), nodeIdx: index().on(t.node) }),
);

export const result = onchainTable(
  "result",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    node: t.hex().notNull(),
    outputRoot: t.hex().notNull(),
    metricsHash: t.hex().notNull(),
    outputUri: t.text().notNull(),
    ...origin(t),
  }),
  (t) => ({ jobIdx: index().on(t.jobId) }),
);

/** A challenge of a job's result (ProofOfCompute) and how it ended. */
export const challenge = onchainTable(
  "challenge",
  (t) => ({
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    challenger: t.hex().notNull(),
    bond: t.bigint().notNull(),
    timeoutAt: t.bigint().notNull(),
    /**
     * "open", then the verdict on the challenged result: "upheld" (the result stands: the bond went to the
     * worker, bondReturned 0), "rejected" (the challenger was right: bond returned) or "unresolved" (no
     * verdict: requester refunded, bond returned).
     */
    status: t.text().notNull(),
    bondReturned: t.bigint(),
    ...origin(t),
  }),
  (t) => ({ jobIdx: index().on(t.jobId) }),
);

/**
 * Tokens credited or paid: "nodePayment" (job price), "nodeFee" (cancellation after assignment), "refund"
 * (to the requester; after a rejected result, with what is left of the slashed bond), "slashedBond" (a late
 * node's bond, to the requester), "verifierFee" (to each verifier of the majority: its share of the
 * verification budget, plus of the worker's slashed bond when the result was rejected), "slashShare" (a
 * challenger's share of the slashed bond when its challenge was right), "challengeBond" (a wrong
 * challenger's bond, to the worker), "withdrawal" (out of the job manager).
 */
export const payout = onchainTable(
  "payout",
  (t) => ({
    id: t.text().primaryKey(),
    kind: t.text().notNull(),
    account: t.hex().notNull(),
    jobId: t.bigint(),
    amount: t.bigint().notNull(),
    ...origin(t),
  }),
  (t) => ({ accountIdx: index().on(t.account), jobIdx: index().on(t.jobId) }),
);

// A job's story in one query (`db.query.job.findFirst({ with: … })`), and the same links in GraphQL.
export const jobRelations = relations(job, ({ many }) => ({
  timeline: many(jobEvent),
  claims: many(claim),
  results: many(result),
  challenges: many(challenge),
  payouts: many(payout),
}));
const ofJob = (table: typeof jobEvent | typeof claim | typeof result | typeof challenge) =>
  relations(table, ({ one }) => ({ job: one(job, { fields: [table.jobId], references: [job.id] }) }));
export const jobEventRelations = ofJob(jobEvent);
export const claimRelations = ofJob(claim);
export const resultRelations = ofJob(result);
export const challengeRelations = ofJob(challenge);
export const payoutRelations = relations(payout, ({ one }) => ({
  job: one(job, { fields: [payout.jobId], references: [job.id] }),
}));
