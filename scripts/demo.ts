// `npm run demo`: a requester's whole story on a running devnet, through the SDK only, shown live and
// checked at every step. The requester registers its own small dataset and base model, submits a train job
// on the torch runtime and watches it: the bids arriving over gossip, the claim, the run and the
// container's log lines (from the node, signed for by the requester), the result, the challenge window,
// the payout. Then an infer job on the checkpoint that training produced, the lineage from the indexer
// (dataset → train job → node → checkpoint → infer job), an audited job (three other operators re-run it,
// exchange signed votes and settle the audit in one transaction; they earn the job's verification fees)
// and the operators' earnings. At the end: each
// phase's time per job, each party's gas, the demo's wall time. `npm run devnet` runs the same demo
// (runDemo) once its network is up; any failed check is a DemoError naming what differed.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  type Checkpoint,
  getJobArtifacts,
  getJobLogs,
  getJobSubmission,
  getModelLineage,
  getVerifierDraw,
  getWithdrawable,
  type JobArtifacts,
  type JobCheckpoint,
  type JobEvent,
  type JobRecord,
  type JobSpec,
  JobState,
  jobStateLabel,
  type LineageEdgeKind,
  listCheckpoints,
  listNodes,
  readJobLimits,
  registerDataset,
  registerModel,
  type SubmitJobReturnType,
  submitInferJob,
  submitTrainJob,
  validateJobSpec,
  watchJob,
  withdrawFunds,
} from "@arthaain/sdk";
import {
  type GossipNode,
  joinBidGossip,
  outputRootOfDirectory,
  type VerifiedBid,
  watchBids,
} from "@arthaain/sdk/node";
import {
  type Address,
  erc20Abi,
  getAddress,
  type Hex,
  isAddressEqual,
  type PublicClient,
  zeroAddress,
} from "viem";
import { fetchSpec } from "../node-agent/src/inputs/index.ts";
import { classificationCsv } from "../runtimes/test/fixtures.ts";
import { connectWrite, type WriteSession } from "../sdk/src/cli/connect.ts";
import { type TreeNode, tree, when } from "../sdk/src/cli/format.ts";
import { indexerGet } from "../sdk/src/client/indexer.ts";
import { trainSpec } from "./lib/agentNetwork.ts";
import { DEVNET_DIR, runningDevnet } from "./lib/devnetState.ts";

export type DemoOptions = {
  rpcUrl: string;
  deploymentFile: string;
  indexerUrl: string;
  /** The requester's key (on a devnet: Hardhat's dev account #1). */
  requesterKey: Hex;
  /** The torch CPU runtime image, sha256:…, that the agents hold. */
  image: string;
  /** Gossip peers to watch the auctions through (each ending in /p2p/<peer id>); registered nodes are added. */
  bootstrap?: string[];
  /** Where the demo writes its dataset and model: under the agents' policy.fileRoots. */
  dir: string;
  /** Budget of each job, in token base units (default 100 tokens). */
  budget?: bigint;
  /** Bid window of each job, seconds (default 5). */
  bidWindow?: number;
  /** Where progress goes (default stdout, prefixed [demo]). */
  log?: (line: string) => void;
};

/** A check of the demo failed; the message says which, with both values. */
export class DemoError extends Error {
  override readonly name = "DemoError";
}

function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new DemoError(message);
}

const PHASES = ["auction", "claim", "run", "result", "finalize"] as const;
type Phase = (typeof PHASES)[number];
/** How long one job may take from submission to payout before the demo gives up. */
const JOB_TIMEOUT_MS = 180_000;
const POLL_MS = 250;

type Demo = {
  ctx: WriteSession;
  /** The same without the indexer: every read straight from the chain. */
  chain: WriteSession;
  o: DemoOptions;
  say(line: string): void;
  fmt(amount: bigint): string;
  /** Each job's budget, base units. */
  budget: bigint;
  operators: Address[];
  /** "operator 2 (0x3C44…93BC)" for an operator, the address for anyone else. */
  nameOf(address: Address): string;
  claimWindow: bigint;
  challengeWindow: bigint;
};

/** One job followed to its payout. */
type FollowedJob = {
  jobId: bigint;
  record: JobRecord;
  claims: number;
  /** The valid bids seen live over gossip. */
  bids: VerifiedBid[];
  /** Seconds per phase, wall clock as the demo saw each step. */
  phases: Record<Phase, number>;
  /** The verifiers' verdict (JobVerified) when the job was audited or challenged. */
  verdict?: { upheld: boolean; payees: readonly Address[]; amounts: readonly bigint[]; seconds: number };
};

/** Runs the demo on a running devnet; returns the figures it printed. Throws DemoError when a check fails. */
export async function runDemo(o: DemoOptions): Promise<Record<string, number>> {
  const t0 = Date.now();
  const d = await connect(o);
  const startBlock = await d.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
  d.say(
    `requester ${d.ctx.walletClient.account.address}; operators: ${d.operators.map(d.nameOf).join(", ")}`,
  );
  const earningsBefore = await indexedEarnings(d);

  // Gossip first: the watcher must be in the mesh before the first bid of a job it has not submitted yet.
  const gossip = await joinMarket(d);
  try {
    const { datasetId, modelId } = await registerInputs(d);
    // Both jobs: the torch image the agents hold, the budget, a short auction, ten minutes to deliver.
    const terms = {
      imageDigest: digestOf(o.image),
      maxPrice: d.budget,
      bidWindow: o.bidWindow ?? 5,
      maxRuntime: 600,
    };
    const train = await runJob(d, gossip, "train", () =>
      submitTrainJob(d.ctx, { spec: TRAIN_SPEC, modelId, datasetId, ...terms }),
    );
    const checkpoint = await checkCheckpoint(d, train.record, train.jobId, { modelId, datasetId });
    const artifacts = await showArtifacts(d, train.jobId);
    const weights = modelFileOf(artifacts);
    // The same data, read by the trained weights: the checkpoint's own file, as its result declared it.
    const inferSpec = {
      kind: "infer" as const,
      seed: TRAIN_SPEC.seed,
      runtime: { data: TRAIN_SPEC.runtime.data, model: { checkpoint: weights } },
      resources: TRAIN_SPEC.resources,
    };
    // The checkpoint is the train job's output: depending on that job, the agent mounts its outputs as the
    // model, verified against the output root committed on-chain.
    const infer = await runJob(d, gossip, "infer", () =>
      submitInferJob(d.ctx, {
        spec: inferSpec,
        modelId: checkpoint.modelId,
        datasetId,
        dependsOn: [train.jobId],
        ...terms,
      }),
    );
    await checkInferUsedCheckpoint(d, infer.jobId, train.jobId, checkpoint, weights);
    await showArtifacts(d, infer.jobId);
    // The train job again, asking to be audited always (policy byte 101): the others re-run it and vote.
    const audit = await runJob(
      d,
      gossip,
      "audit",
      () => submitTrainJob(d.ctx, { spec: TRAIN_SPEC, modelId, datasetId, ...terms, verification: 101 }),
      { audited: true },
    );
    const withdrawn = await withdrawFunds(d.ctx);
    d.say(`requester withdrew its refunds: ${d.fmt(withdrawn.amount)}`);

    await checkIndexerAgrees(d, [train, infer, audit], earningsBefore);
    await showLineage(d, modelId, train, infer);
    await showEarnings(d, earningsBefore);

    const endBlock = await d.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    const gas = await gasByAccount(d.ctx.publicClient, startBlock + 1n, endBlock, [
      d.ctx.walletClient.account.address,
      ...d.operators,
    ]);
    return figures(d, { train, infer, audit }, gas, (Date.now() - t0) / 1000);
  } finally {
    await gossip.stop();
  }
}

/** The small train job the devnet's agents are set up for (agentNetwork's), as the SDK types a train spec. */
const TRAIN_SPEC = validateJobSpec(trainSpec) as JobSpec & { kind: "train" };

const digestOf = (image: string): Hex => `0x${image.replace(/^sha256:/, "")}`;

async function connect(o: DemoOptions): Promise<Demo> {
  const source = "the devnet";
  const ctx = await connectWrite(
    {
      rpcUrl: { value: o.rpcUrl, source },
      deployment: { value: o.deploymentFile, source },
      indexerUrl: { value: o.indexerUrl, source },
    },
    o.requesterKey,
  );
  const { indexerUrl: _, ...chain } = ctx;
  const [{ format, decimals }, limits, nodes] = await Promise.all([
    ctx.token(),
    readJobLimits(ctx),
    // Through the indexer: the first thing the demo reads from it.
    listNodes(ctx, { active: true }),
  ]);
  const operators = nodes.map((n) => n.address);
  check(operators.length > 0, `the indexer at ${o.indexerUrl} lists no active node`);
  const say = o.log ?? ((line: string) => console.log(`[demo] ${line}`));
  return {
    ctx,
    chain,
    o,
    say,
    fmt: format,
    budget: o.budget ?? 100n * 10n ** BigInt(decimals),
    operators,
    nameOf: (a) => {
      const i = operators.findIndex((op) => isAddressEqual(op, a));
      return i < 0 ? getAddress(a) : `operator ${i + 1} (${getAddress(a).slice(0, 6)}…${a.slice(-4)})`;
    },
    claimWindow: BigInt(limits.claimWindow),
    challengeWindow: BigInt(limits.challengeWindow),
  };
}

/** Joins the bid gossip through the agents and waits (up to 10 s) until connected to one of them. */
async function joinMarket(d: Demo): Promise<GossipNode> {
  const gossip = await joinBidGossip(d.ctx, { bootstrap: d.o.bootstrap ?? [] });
  for (let t = 0; gossip.connectedPeers().length === 0 && t < 40; t++) await sleep(POLL_MS);
  d.say(`joined the bid gossip as ${gossip.peerId.slice(0, 16)}…: ${gossip.connectedPeers().length} peers`);
  return gossip;
}

/** Writes the demo's dataset and base model under its directory and registers both, content-addressed. */
async function registerInputs(d: Demo): Promise<{ datasetId: bigint; modelId: bigint }> {
  const dataDir = join(d.o.dir, "dataset");
  const modelDir = join(d.o.dir, "model");
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(modelDir, { recursive: true });
  // Its own data (another seed than the devnet's dataset), so its content hash is its own.
  const csv = classificationCsv(300, 11);
  writeFileSync(join(dataDir, "train.csv"), csv);
  writeFileSync(join(modelDir, "architecture.json"), JSON.stringify(trainSpec.runtime.model));
  const data = await outputRootOfDirectory(dataDir);
  const { datasetId } = await registerDataset(d.ctx, {
    contentHash: data.root,
    uri: `file://${dataDir}/`,
    size: BigInt(csv.length),
    license: "CC-BY-4.0",
  });
  const model = await outputRootOfDirectory(modelDir);
  const { modelId } = await registerModel(d.ctx, {
    contentHash: model.root,
    uri: `file://${modelDir}/`,
    name: "demo-mlp",
    license: "MIT",
    datasetIds: [datasetId],
  });
  d.say(`registered dataset ${datasetId} (300 rows, ${short(data.root)}) and model ${modelId} "demo-mlp"`);
  return { datasetId, modelId };
}

type JobKind = "train" | "infer" | "audit";

/**
 * Submits a job with `submit`, follows it live to its payout and checks its money: one claim, Finalized,
 * the node paid exactly its price, the requester refunded maxPrice − price, nobody else paid. An audited
 * job must be upheld by the verifiers' verdict, whose payouts are then what each party gets: the node its
 * price, each verifier in the majority its fee, the requester the rest.
 */
async function runJob(
  d: Demo,
  gossip: GossipNode,
  kind: JobKind,
  submit: () => Promise<SubmitJobReturnType>,
  { audited = false }: { audited?: boolean } = {},
): Promise<FollowedJob> {
  const before = await moneyOf(d);
  const submittedAt = Date.now();
  const submitted = await submit();
  const { jobId, record } = submitted;
  const say = (line: string) => d.say(`${kind} job ${jobId}: ${line}`);
  say(
    `submitted (${d.fmt(record.maxPrice)} escrowed by ${submitted.approval.method}); open for bids until ${when(record.bidEnd)}`,
  );
  const job = await followJob(d, gossip, jobId, submittedAt, say);

  const after = await moneyOf(d);
  const r = job.record;
  check(
    audited === (job.verdict !== undefined),
    `${kind} job ${jobId}: ${job.verdict ? "audited" : "not audited"}, expected ${audited ? "an audit" : "none"}`,
  );
  check(job.verdict?.upheld ?? true, `${kind} job ${jobId}: the verifiers rejected an honest result`);
  const owed = owedBy(job);
  check(job.claims === 1, `${kind} job ${jobId}: ${job.claims} claims, expected exactly one`);
  check(
    job.bids.some((b) => isAddressEqual(b.node, r.claimer) && b.price === r.price),
    `${kind} job ${jobId}: the winner's bid (${d.nameOf(r.claimer)} at ${d.fmt(r.price)}) was not seen over gossip (${job.bids.length} bids seen)`,
  );
  check(
    r.state === JobState.Finalized,
    `${kind} job ${jobId} ended ${jobStateLabel(r.state)}, expected finalized`,
  );
  for (const op of d.operators) {
    const paid = after.operators.get(op)! - before.operators.get(op)!;
    const expected = owed(op);
    check(
      paid === expected,
      `${kind} job ${jobId}: ${d.nameOf(op)} was paid ${d.fmt(paid)}, expected ${d.fmt(expected)}`,
    );
  }
  const refund = after.requester - before.requester;
  const expectedRefund = owed(r.requester);
  check(
    refund === expectedRefund,
    `${kind} job ${jobId}: the requester was refunded ${d.fmt(refund)}, expected ${d.fmt(expectedRefund)} (${job.verdict ? "the verdict's payout" : "maxPrice − price"})`,
  );
  const fees = job.verdict
    ? `, ${job.verdict.payees.length - 2} verifiers paid ${d.fmt(owed(job.verdict.payees[0]!))} each`
    : "";
  say(
    `checked: the winning bid seen live, one claim, finalized, ${d.nameOf(r.claimer)} paid ${d.fmt(r.price)}${fees}, requester refunded ${d.fmt(refund)}`,
  );
  return job;
}

/**
 * What the job paid each account: the verdict's payouts (ProofOfCompute: the majority's fees, the node's
 * price, the requester's rest) when it was verified; otherwise the node its price, the requester the rest.
 */
function owedBy(job: FollowedJob): (account: Address) => bigint {
  const r = job.record;
  const payouts: [Address, bigint][] = job.verdict
    ? job.verdict.payees.map((p, i) => [p, job.verdict!.amounts[i]!])
    : [
        [r.claimer, r.price],
        [r.requester, r.maxPrice - r.price],
      ];
  return (account) =>
    payouts.reduce((sum, [payee, amount]) => (isAddressEqual(payee, account) ? sum + amount : sum), 0n);
}

/** Each operator's tokens plus what the job manager holds for it, and the requester's withdrawable refunds. */
async function moneyOf(d: Demo): Promise<{ operators: Map<Address, bigint>; requester: bigint }> {
  const held = (account: Address) =>
    Promise.all([
      d.ctx.publicClient.readContract({
        address: d.ctx.deployment.contracts.token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [account],
      }),
      getWithdrawable(d.ctx, { account }),
    ]).then(([tokens, withdrawable]) => tokens + withdrawable);
  const [requester, ...ops] = await Promise.all([
    getWithdrawable(d.ctx, { account: d.ctx.walletClient.account.address }),
    ...d.operators.map(held),
  ]);
  return { requester: requester!, operators: new Map(d.operators.map((op, i) => [op, ops[i]!])) };
}

/**
 * Follows one job live: its bids (gossip), its events (chain), its assignment and the end of its challenge
 * window (chain time, no event marks them), its logs once the result is in, and the node's withdrawal of
 * its pay. Any other turn (reopened, cancelled, expired, disputed) is a DemoError.
 */
async function followJob(
  d: Demo,
  gossip: GossipNode,
  jobId: bigint,
  submittedAt: number,
  say: (line: string) => void,
): Promise<FollowedJob> {
  const signal = AbortSignal.timeout(JOB_TIMEOUT_MS);
  const marks: Partial<Record<"claimed" | "assigned" | "result" | "finalizable" | "paid", number>> = {};
  const bids = showBids(d, gossip, jobId, say);
  const waits: Promise<void>[] = [];
  let claims = 0;
  let record: JobRecord | undefined;
  let disputedAt: number | undefined;
  let verdict: FollowedJob["verdict"];
  for await (const e of watchJob(d.ctx, { jobId, pollingIntervalMs: POLL_MS, timestamps: false, signal })) {
    const job = "job" in e.args ? (e.args.job as JobRecord) : undefined;
    record = job ?? record;
    if (e.name === "JobSubmitted") continue;
    if (e.name === "JobClaimed" && job) {
      claims++;
      say(`claimed by ${d.nameOf(job.claimer)} at ${d.fmt(job.price)}`);
      marks.claimed ??= Date.now();
      const claimEnd = BigInt(job.bidEnd) + d.claimWindow;
      waits.push(
        atChainTime(d, claimEnd, signal, () => {
          marks.assigned = Date.now();
          say(`claim window closed: assigned to ${d.nameOf(job.claimer)}, whose container runs the job`);
        }),
      );
    } else if (e.name === "ResultSubmitted" && job) {
      marks.result = Date.now();
      say(`result: output root ${job.outputRoot} at ${e.args.outputUri}`);
      await showLogs(d, jobId, say);
      const end = BigInt(job.resultAt) + d.challengeWindow;
      say(`challenge window open for ${d.challengeWindow} s`);
      waits.push(
        atChainTime(d, end, signal, () => {
          marks.finalizable ??= Date.now();
          if (disputedAt === undefined) say("challenge window closed with no challenge");
        }),
      );
    } else if (e.name === "AuditDrawn") {
      say(`audit drawn from block ${e.args.seedBlock}'s hash: ${e.args.audited ? "audited" : "not audited"}`);
    } else if (e.name === "JobDisputed") {
      disputedAt = Date.now();
      say(
        isAddressEqual(e.args.challenger, zeroAddress)
          ? "audited: a dispute opens, verifiers drawn from the active nodes re-run the job"
          : `challenged by ${d.nameOf(e.args.challenger)}: verifiers drawn from the active nodes re-run the job`,
      );
    } else if (e.name === "VerifiersDrawn") {
      if (e.args.seed !== 0n) await showVerifiers(d, jobId, say);
    } else if (e.name === "Committed") {
      say(`${d.nameOf(e.args.verifier)} committed its vote on-chain (round ${e.args.round})`);
    } else if (e.name === "Revealed") {
      say(
        `${d.nameOf(e.args.verifier)} ${e.args.agrees ? "agrees" : "disagrees"}: it found ${e.args.result}`,
      );
    } else if (e.name === "DisputeResolved") {
      say(
        `dispute resolved in tx ${short(e.transactionHash)}: ${e.args.upheld ? "upheld" : "not upheld"}, ${e.args.agree}–${e.args.disagree}`,
      );
    } else if (e.name === "JobVerified") {
      const seconds = disputedAt === undefined ? 0 : (Date.now() - disputedAt) / 1000;
      verdict = { upheld: e.args.upheld, payees: e.args.payees, amounts: e.args.amounts, seconds };
      marks.finalizable ??= Date.now();
    } else if (e.name === "JobFinalized" && job) {
      say(`finalized: ${d.nameOf(job.claimer)} credited ${d.fmt(job.price)}, refund ${d.fmt(e.args.refund)}`);
    } else {
      throw new DemoError(`job ${jobId}: unexpected ${describe(e)}; see ${DEVNET_DIR}/agent-*.log`);
    }
  }
  if (signal.aborted || record?.state !== JobState.Finalized) {
    const state = record ? jobStateLabel(record.state) : "unknown";
    throw new DemoError(
      `job ${jobId} was not finalized within ${JOB_TIMEOUT_MS / 1000} s (state ${state}); see ${DEVNET_DIR}/agent-*.log`,
    );
  }
  await Promise.all(waits);
  await paidOut(d, record.claimer, signal);
  marks.paid = Date.now();
  say(`payout: ${d.nameOf(record.claimer)} withdrew its earnings`);
  // The verifiers' agents withdraw their fees once the dispute is over (settle.autoWithdraw).
  const verifiers = (verdict?.payees ?? []).filter(
    (p) => !isAddressEqual(p, record!.claimer) && !isAddressEqual(p, record!.requester),
  );
  for (const v of verifiers) await paidOut(d, v, signal);
  if (verifiers.length > 0) say(`fees: ${verifiers.map(d.nameOf).join(", ")} withdrew theirs`);
  const seen = await bids;
  const at = { submitted: submittedAt, ...marks } as Record<string, number>;
  const span = (from: string, to: string) => Math.max(0, (at[to]! - at[from]!) / 1000);
  return {
    jobId,
    record,
    claims,
    bids: seen,
    ...(verdict ? { verdict } : {}),
    phases: {
      auction: span("submitted", "claimed"),
      claim: span("claimed", "assigned"),
      run: span("assigned", "result"),
      result: span("result", "finalizable"),
      finalize: span("finalizable", "paid"),
    },
  };
}

/** Prints the job's valid bids as they arrive over gossip, until its claim window closes; returns them. */
async function showBids(
  d: Demo,
  gossip: GossipNode,
  jobId: bigint,
  say: (line: string) => void,
): Promise<VerifiedBid[]> {
  const seen: VerifiedBid[] = [];
  try {
    for await (const bid of watchBids(d.ctx, { jobId, node: gossip, pollingIntervalMs: POLL_MS })) {
      seen.push(bid);
      say(`bid from ${d.nameOf(bid.node)} at ${d.fmt(bid.price)} (relayed by ${bid.from.slice(0, 16)}…)`);
    }
  } catch (error) {
    // The chain's events tell the story without gossip; the bids are the live view of it.
    say(`live bids unavailable: ${(error as Error).message.split("\n")[0]}`);
  }
  return seen;
}

/** The round's drawn verifiers (getVerifierDraw: the contract's draw, computed from its seed). */
async function showVerifiers(d: Demo, jobId: bigint, say: (line: string) => void): Promise<void> {
  const { proofOfCompute, nodeRegistry } = d.ctx.deployment.contracts;
  const draw = await getVerifierDraw(d.ctx.publicClient, { proofOfCompute, nodeRegistry, jobId });
  if (!draw) return;
  say(
    `round ${draw.round}: verifiers drawn ${draw.verifiers.map((v) => d.nameOf(v.address)).join(", ")}; the first ${draw.k} to vote decide`,
  );
}

/** Calls `then` once chain time reaches `t` (or gives up quietly when `signal` aborts). */
async function atChainTime(d: Demo, t: bigint, signal: AbortSignal, then: () => void): Promise<void> {
  while (!signal.aborted) {
    const head = await d.ctx.publicClient.getBlock({ blockTag: "latest" });
    if (head.timestamp >= t) return then();
    await sleep(POLL_MS);
  }
}

/** Waits until the node has withdrawn what the job manager held for it (settle.autoWithdraw). */
async function paidOut(d: Demo, node: Address, signal: AbortSignal): Promise<void> {
  while ((await getWithdrawable(d.ctx, { account: node })) > 0n) {
    if (signal.aborted) throw new DemoError(`${d.nameOf(node)} did not withdraw its earnings in time`);
    await sleep(POLL_MS);
  }
}

/** The container's log lines, from the node that ran the job (getJobLogs signs the node's challenge). */
async function showLogs(d: Demo, jobId: bigint, say: (line: string) => void): Promise<void> {
  const logs = await getJobLogs(d.ctx, { jobId });
  const lines = logs.split("\n").filter((l) => l.trim() !== "");
  check(lines.length > 0, `job ${jobId}: the node served no log lines`);
  say(`container logs (${lines.length} lines, served to the requester only):`);
  for (const line of lines) d.say(`  │ ${line}`);
}

function describe(e: JobEvent): string {
  const job = "job" in e.args ? (e.args.job as JobRecord) : undefined;
  return `${e.name}${job ? ` (now ${jobStateLabel(job.state)})` : ""}`;
}

/**
 * The train job's output, as the chain records it, is a checkpoint of the model with the right lineage:
 * the model and dataset it trained, the job, the node that ran it, the output root it committed.
 */
async function checkCheckpoint(
  d: Demo,
  record: JobRecord,
  jobId: bigint,
  want: { modelId: bigint; datasetId: bigint },
): Promise<JobCheckpoint> {
  const checkpoints = await listCheckpoints(d.chain, { modelId: want.modelId });
  const found = checkpoints.find((c): c is JobCheckpoint => c.source === "job" && c.jobId === jobId);
  check(found !== undefined, `model ${want.modelId} has no checkpoint from train job ${jobId} on-chain`);
  const expect = (what: string, got: unknown, wanted: unknown) =>
    check(got === wanted, `the checkpoint of job ${jobId}: ${what} ${got}, expected ${wanted}`);
  expect("model", found.modelId, want.modelId);
  expect("dataset", found.datasetId, want.datasetId);
  expect("node", getAddress(found.node), getAddress(record.claimer));
  expect("content hash", found.contentHash, record.outputRoot);
  d.say(
    `checkpoint of model ${found.modelId} registered by job ${jobId}: ${short(found.contentHash)}, trained on dataset ${found.datasetId} by ${d.nameOf(found.node)}`,
  );
  return found;
}

/** Downloads a job's outputs, verified against its output root, and prints its metrics. */
async function showArtifacts(d: Demo, jobId: bigint): Promise<JobArtifacts> {
  const artifacts = await getJobArtifacts(d.ctx, { jobId });
  const result = JSON.parse(fileText(artifacts, "result.json")) as { metrics: Record<string, unknown> };
  const metrics = Object.entries(result.metrics)
    .filter(([, v]) => typeof v === "number")
    .map(
      ([k, v]) =>
        `${k} ${Number(v)
          .toPrecision(4)
          .replace(/\.?0+$/, "")}`,
    )
    .join(", ");
  d.say(`job ${jobId}'s ${artifacts.files.length} output files verified against the output root: ${metrics}`);
  return artifacts;
}

function fileText(artifacts: JobArtifacts, path: string): string {
  const file = artifacts.files.find((f) => f.path === path);
  if (!file) throw new DemoError(`the job's outputs have no ${path}`);
  return new TextDecoder().decode(file.bytes);
}

/** The weights file a train job declared as its model (result.json's outputs, role "model"). */
function modelFileOf(artifacts: JobArtifacts): string {
  const result = JSON.parse(fileText(artifacts, "result.json")) as {
    outputs: { path: string; role: string }[];
  };
  const model = result.outputs.find((o) => o.role === "model" && o.path.endsWith(".safetensors"));
  if (!model) throw new DemoError("the train job declared no model weights in result.json");
  return model.path;
}

/**
 * The infer job ran on the checkpoint: on-chain it depends on the train job and names the checkpoint's
 * model, and its spec (read back from its URI, checked against its on-chain hash) loads the checkpoint's
 * weights file.
 */
async function checkInferUsedCheckpoint(
  d: Demo,
  inferId: bigint,
  trainId: bigint,
  checkpoint: Checkpoint,
  weights: string,
): Promise<void> {
  const sub = await getJobSubmission(d.chain, { jobId: inferId });
  check(
    sub.dependsOn.length === 1 && sub.dependsOn[0] === trainId,
    `infer job ${inferId} depends on [${sub.dependsOn.join(", ")}], expected [${trainId}]`,
  );
  check(
    BigInt(sub.modelId) === checkpoint.modelId,
    `infer job ${inferId} names model ${sub.modelId}, expected the checkpoint's model ${checkpoint.modelId}`,
  );
  const bytes = await fetchSpec({ uri: sub.specUri, specHash: sub.specHash, maxBytes: 64 * 1024 });
  const spec = JSON.parse(new TextDecoder().decode(bytes)) as {
    runtime: { model?: { checkpoint?: string } };
  };
  check(
    spec.runtime.model?.checkpoint === weights,
    `infer job ${inferId}'s spec loads ${spec.runtime.model?.checkpoint}, expected the checkpoint's ${weights}`,
  );
  d.say(
    `infer job ${inferId} ran on the checkpoint of job ${trainId}: depends on it, loads its ${weights} (spec ${short(sub.specHash)})`,
  );
}

type IndexedJob = {
  state: string;
  price: string;
  maxPrice: string;
  node: string | null;
  outputRoot: string | null;
  dependsOn: string[];
  claims: unknown[];
};
type IndexedNode = { address: string; earnings: string; claims: number; completed: number };

/** Each operator's earnings as the indexer counts them. */
async function indexedEarnings(d: Demo): Promise<Map<Address, bigint>> {
  const rows = await Promise.all(
    d.operators.map((op) => indexerGet<IndexedNode>(d.ctx, `/nodes/${op.toLowerCase()}`)),
  );
  return new Map(d.operators.map((op, i) => [op, BigInt(rows[i]!.earnings)]));
}

/**
 * The indexer tells the same story as the chain: each job's state, price, node, output root and claims,
 * and each operator's earnings grown by exactly what the chain paid it. Waits (up to 30 s) for it to
 * index the last payout first.
 */
async function checkIndexerAgrees(
  d: Demo,
  jobs: FollowedJob[],
  earningsBefore: Map<Address, bigint>,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  let indexed: IndexedJob[] = [];
  for (;;) {
    indexed = await Promise.all(
      jobs.map((j) => indexerGet<IndexedJob>(d.ctx, `/jobs/${j.jobId}`, { allowMissing: true })),
    ).then((rows) => rows.map((r) => r ?? ({ state: "not indexed" } as IndexedJob)));
    const earnings = await indexedEarnings(d);
    const paid = d.operators.every(
      (op) => earnings.get(op)! - earningsBefore.get(op)! === earnedBy(jobs, op),
    );
    if ((indexed.every((j) => j.state === "finalized") && paid) || Date.now() > deadline) break;
    await sleep(POLL_MS * 2);
  }
  jobs.forEach((j, i) => {
    const row = indexed[i]!;
    const r = j.record;
    const expect = (what: string, got: unknown, wanted: unknown) =>
      check(
        String(got).toLowerCase() === String(wanted).toLowerCase(),
        `the indexer says job ${j.jobId}'s ${what} is ${got}; the chain says ${wanted}`,
      );
    expect("state", row.state, jobStateLabel(r.state));
    expect("price", row.price, r.price);
    expect("maxPrice", row.maxPrice, r.maxPrice);
    expect("node", row.node, r.claimer);
    expect("output root", row.outputRoot, r.outputRoot);
    expect("number of claims", row.claims.length, j.claims);
  });
  const earnings = await indexedEarnings(d);
  for (const op of d.operators) {
    const chainPaid = earnedBy(jobs, op);
    const grew = earnings.get(op)! - earningsBefore.get(op)!;
    check(
      grew === chainPaid,
      `the indexer's earnings of ${d.nameOf(op)} grew by ${d.fmt(grew)}; the chain paid it ${d.fmt(chainPaid)}`,
    );
  }
  d.say(
    `the indexer agrees with the chain: the ${jobs.length} jobs' states, prices, nodes, output roots, claims; earnings, verifier fees included`,
  );
}

/** What `jobs` paid operator `op`: prices for the jobs it ran, fees for the ones it verified. */
const earnedBy = (jobs: FollowedJob[], op: Address) => jobs.reduce((sum, j) => sum + owedBy(j)(op), 0n);

/**
 * The lineage from the indexer (getModelLineage with indexerUrl), checked edge by edge, drawn from the
 * dataset to the infer job that used the train job's checkpoint.
 */
async function showLineage(d: Demo, modelId: bigint, train: FollowedJob, infer: FollowedJob): Promise<void> {
  const graph = await getModelLineage(d.ctx, { modelId });
  const t = train.record;
  const node = `node:${getAddress(t.claimer)}`;
  const checkpoint = `checkpoint:job-${train.jobId}`;
  const job = `job:${train.jobId}`;
  const dataset = `dataset:${t.datasetId}`;
  const has = (from: string, kind: LineageEdgeKind, to: string) =>
    check(
      graph.edges.some((e) => e.from === from && e.kind === kind && e.to === to),
      `the indexer's lineage of model ${modelId} lacks ${from} -${kind}-> ${to}`,
    );
  has(checkpoint, "checkpointOf", `model:${modelId}`);
  has(checkpoint, "producedBy", job);
  has(job, "trainedOn", dataset);
  has(job, "ranOn", node);
  const inferRow = await indexerGet<IndexedJob>(d.ctx, `/jobs/${infer.jobId}`);
  check(
    inferRow!.dependsOn.map(String).includes(String(train.jobId)),
    `the indexer's infer job ${infer.jobId} does not depend on train job ${train.jobId}`,
  );
  const datasetNode = graph.nodes.find((n) => n.id === dataset);
  const checkpointNode = graph.nodes.find((n) => n.id === checkpoint);
  const chainOf = (labels: string[]): TreeNode =>
    labels.reduceRight<TreeNode | undefined>(
      (child, label) => ({ label, children: child ? [child] : [] }),
      undefined,
    )!;
  const lineage = chainOf([
    `dataset ${t.datasetId}: ${datasetNode?.kind === "dataset" ? datasetNode.dataset.uri : "?"}`,
    `train job ${train.jobId}: ${jobStateLabel(t.state)}, paid ${d.fmt(t.price)}`,
    `ran on ${d.nameOf(t.claimer)}`,
    `checkpoint of model ${modelId}: ${checkpointNode?.kind === "checkpoint" ? checkpointNode.checkpoint.contentHash : "?"}`,
    `infer job ${infer.jobId}: ${jobStateLabel(infer.record.state)} on ${d.nameOf(infer.record.claimer)}, paid ${d.fmt(infer.record.price)}`,
  ]);
  d.say(`lineage, from the indexer at ${d.o.indexerUrl}:`);
  for (const line of tree(lineage).split("\n")) d.say(`  ${line}`);
}

/** The operators as the indexer's /nodes sees them: claims, completed jobs, earnings (this demo's and total). */
async function showEarnings(d: Demo, before: Map<Address, bigint>): Promise<void> {
  d.say("operators' earnings, from the indexer:");
  for (const op of d.operators) {
    const n = (await indexerGet<IndexedNode>(d.ctx, `/nodes/${op.toLowerCase()}`))!;
    const earned = BigInt(n.earnings);
    d.say(
      `  ${d.nameOf(op)}: ${n.claims} claims, ${n.completed} jobs completed, earned ${d.fmt(earned - before.get(op)!)} in this demo (${d.fmt(earned)} in all)`,
    );
  }
}

/** Gas used by the transactions each account sent in blocks [from, to]. */
async function gasByAccount(
  client: PublicClient,
  from: bigint,
  to: bigint,
  accounts: Address[],
): Promise<Map<Address, bigint>> {
  const gas = new Map(accounts.map((a) => [a, 0n]));
  for (let n = from; n <= to; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      const sender = accounts.find((a) => isAddressEqual(a, tx.from));
      if (!sender) continue;
      const receipt = await client.getTransactionReceipt({ hash: tx.hash });
      gas.set(sender, gas.get(sender)! + receipt.gasUsed);
    }
  }
  return gas;
}

/** Prints the figures, one per line as `<name>: <value>`, and returns them. */
function figures(
  d: Demo,
  jobs: Record<JobKind, FollowedJob>,
  gas: Map<Address, bigint>,
  totalS: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, job] of Object.entries(jobs)) {
    for (const phase of PHASES) out[`${kind}_${phase}_s`] = round1(job.phases[phase]);
    out[`${kind}_claims`] = job.claims;
    out[`${kind}_bids_seen`] = job.bids.length;
  }
  out.audit_dispute_s = round1(jobs.audit.verdict!.seconds);
  out.gas_requester = Number(gas.get(d.ctx.walletClient.account.address));
  d.operators.forEach((op, i) => {
    out[`gas_operator_${i + 1}`] = Number(gas.get(op));
  });
  out.demo_total_s = round1(totalS);
  for (const [name, value] of Object.entries(out)) console.log(`${name}: ${value}`);
  return out;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const short = (hex: string) => `${hex.slice(0, 10)}…`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `npm run demo`: the demo on the devnet `npm run devnet` is running. */
async function main() {
  const state = runningDevnet();
  const network = state?.network;
  if (!network) {
    console.error(
      state
        ? "[demo] the devnet is still starting: wait for its `network up` line, then run `npm run demo` again"
        : "[demo] no devnet is running: start one with `npm run devnet` (it stays up after its own demo), then run `npm run demo` in another terminal",
    );
    process.exit(1);
  }
  const dir = join(DEVNET_DIR, `demo-${Date.now()}`);
  console.log(
    `[demo] on the devnet at ${network.rpcUrl} (indexer ${network.indexerUrl}); files under ${relative(process.cwd(), dir)}`,
  );
  try {
    await runDemo({
      rpcUrl: network.rpcUrl,
      deploymentFile: network.deploymentFile,
      indexerUrl: network.indexerUrl,
      requesterKey: network.requesterKey,
      image: network.torchImage,
      bootstrap: network.bootstrap,
      dir,
    });
  } catch (error) {
    console.error(`[demo] FAILED: ${(error as Error).message.split("\n")[0]}`);
    process.exit(1);
  }
  process.exit(0);
}

if (import.meta.filename === process.argv[1]) await main();
