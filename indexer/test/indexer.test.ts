// The indexer against a real Hardhat node (a block a second) with the contracts deployed: a scripted history
// (registrations, stake changes, a certification, jobs in every state, an outbid claim, a dependent job, a
// challenge, a missed deadline, withdrawals, an audit the verifiers uphold and a challenge they prove right)
// is indexed by `ponder start`, and every route answers what the chain says. Then a reorg (snapshot, revert,
// another branch) and a restart.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getJobRecord, jobStateLabel } from "@arthaain/sdk";
import { type Address, getAddress, keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, JobKind, TOKEN } from "../../scripts/lib/artha.ts";
import { type Chain, startChain } from "../../scripts/lib/startChain.ts";
import { type Indexer, indexerLogLines, startIndexer } from "../../scripts/lib/startIndexer.ts";
import { openapi } from "../src/api/openapi.ts";

const PORT = 42170;
const sha = (s: string) => keccak256(toHex(s));
const lower = (a: string) => a.toLowerCase();

let dir: string;
let chain: Chain;
let a: Artha;
let deploymentFile: string;
const schema = `test_${process.pid}`;

/** The same indexer on both storages: embedded PGlite, and Postgres (scripts/postgres.sh sets it up). */
const storages = ["pglite", "postgres"] as const;
type Storage = (typeof storages)[number];
const indexers = {} as Record<Storage, Indexer>;
const POSTGRES = process.env.ARTHA_TEST_POSTGRES_URL ?? "postgres://artha:artha@127.0.0.1:5432";
const database = `artha_test_${process.pid}`;
const logFile = (storage: Storage) => join(dir, `indexer-${storage}.log`);

function psql(sql: string) {
  execFileSync("psql", [`${POSTGRES}/postgres`, "-qtAc", sql], { stdio: ["ignore", "pipe", "pipe"] });
}

function start(storage: Storage): Promise<Indexer> {
  return startIndexer({
    rpcUrl: chain.rpcUrl,
    deploymentFile,
    port: PORT + storages.indexOf(storage),
    logFile: logFile(storage),
    schema,
    ...(storage === "pglite"
      ? { pgliteDir: join(dir, "pglite") }
      : { databaseUrl: `${POSTGRES}/${database}` }),
  });
}

/** Runs `check` against each storage's indexer, naming the storage when it fails. */
async function onEach(check: (indexer: Indexer, storage: Storage) => Promise<void>) {
  for (const storage of storages) {
    try {
      await check(indexers[storage], storage);
    } catch (error) {
      (error as Error).message = `[${storage}] ${(error as Error).message}`;
      throw error;
    }
  }
}

type Page<T> = { items: T[]; nextCursor: string | null };
type JobRow = {
  id: string;
  state: string;
  kind: string;
  node: string | null;
  price: string;
  dependsOn: string[];
};

/** The ids of the scripted jobs, by what happened to them. */
const jobs = {} as Record<
  "finalized" | "cancelled" | "open" | "dependent" | "disputed" | "expired" | "audited" | "rejected",
  bigint
>;
let op: string[];
/** The verifiers of the audited and the rejected job (the majority, lowercase), and what each was paid. */
const verified = {} as Record<"audited" | "rejected", { verifiers: string[]; fee: bigint }>;
/** The job price of both verified jobs, the worker's bond on it, the verification budget of a 100-token job. */
const VERIFIED_PRICE = 30n * TOKEN;
const BOND = (VERIFIED_PRICE * 15_000n) / 10_000n;
const BUDGET = 10n * TOKEN;

async function head(): Promise<bigint> {
  return a.publicClient.getBlockNumber({ cacheTime: 0 });
}

async function scriptedHistory() {
  const [o0, o1, o2] = a.operators;
  op = [await a.registerNode(o0!), await a.registerNode(o1!), await a.registerNode(o2!, { gpuCount: 4 })].map(
    lower,
  );
  // o2 is certified, adds stake, then starts unbonding part of it.
  const now = (await a.publicClient.getBlock()).timestamp;
  await a.mined(a.nodeRegistry.write.certify([o2!.account.address, 2, Number(now + 86_400n)]));
  await a.fund(o2!.account.address, 50n * TOKEN, a.nodeRegistry.address);
  await a.mined((await a.as(a.nodeRegistry, o2!)).write.addStake([50n * TOKEN]));
  await a.mined((await a.as(a.nodeRegistry, o2!)).write.requestUnstake([20n * TOKEN]));

  // A model derived from the base model, trained on a second dataset, with a registry checkpoint.
  const mr = await a.as(a.modelRegistry, a.requester);
  await a.mined(mr.write.registerDataset([sha("dataset 2"), "file:///data/2.csv", 99n, "CC0-1.0", 1]));
  await a.mined(
    mr.write.registerModel([
      {
        contentHash: sha("child"),
        uri: "file:///models/child",
        name: "child",
        license: "MIT",
        parentId: a.modelId,
        datasetIds: [1, 2],
      },
    ]),
  );
  await a.mined(mr.write.addCheckpoint([2, sha("ckpt"), "file:///models/child/10", 10n]));
  await a.mined(mr.write.publish([2]));

  // Finalized: claimed by o0, outbid by o1, which runs it and is paid; a train job, so a checkpoint.
  jobs.finalized = (await a.submitJob(a.jobRequest({ kind: JobKind.Train, modelId: 2, datasetId: 2 }))).jobId;
  // Cancelled before any claim.
  jobs.cancelled = (await a.submitJob(a.jobRequest({ kind: JobKind.Infer }))).jobId;
  // Disputed: o0 submits a result that the requester challenges.
  jobs.disputed = (await a.submitJob(a.jobRequest({ kind: JobKind.Agent, modelId: 0, datasetId: 0 }))).jobId;
  // Expired: o2 claims and misses its deadline (slashed), then nobody claims the second attempt.
  jobs.expired = (await a.submitJob(a.jobRequest({ maxRuntime: 60 }))).jobId;
  await a.cancel(jobs.cancelled);

  // The last submitted job's bid window ends last.
  await a.timeTo(BigInt((await a.record(jobs.expired)).bidEnd));
  await a.claim(o0!, jobs.finalized, 50n * TOKEN);
  await a.claim(o1!, jobs.finalized, 40n * TOKEN);
  await a.claim(o0!, jobs.disputed, 30n * TOKEN);
  await a.claim(o2!, jobs.expired, 20n * TOKEN);
  await a.timeTo(await a.claimEnd(jobs.expired));
  await a.submitResult(o1!, jobs.finalized, sha("weights"), "file:///out/finalized");
  await a.submitResult(o0!, jobs.disputed, sha("suspicious"), "file:///out/disputed");
  await a.fund(a.requester.account.address, 10n * TOKEN, a.proofOfCompute.address);
  await a.challenge(jobs.disputed);
  await a.timeTo((await a.deadline(jobs.expired)) + 1n);
  await a.expire(jobs.expired); // slashed, reopened
  await a.timeTo(await a.claimEnd(jobs.expired));
  await a.expire(jobs.expired); // attempts exhausted
  await a.timeTo(BigInt((await a.record(jobs.finalized)).resultAt) + BigInt(a.params.challengeWindow));
  await a.finalize(jobs.finalized);

  // Open: one plain, one depending on the finalized job.
  jobs.open = (await a.submitJob(a.jobRequest({ bidWindow: 3000 }))).jobId;
  jobs.dependent = (
    await a.submitJob(a.jobRequest({ kind: JobKind.Infer, dependsOn: [jobs.finalized], bidWindow: 3000 }))
  ).jobId;

  // The node and the requester take their money out.
  await a.mined((await a.as(a.jobManager, o1!)).write.withdraw([o1!.account.address]));
  await a.mined((await a.as(a.jobManager, a.requester)).write.withdraw([a.requester.account.address]));

  await verification();
}

/**
 * Verification (ProofOfCompute): five more nodes, so that a dispute draws enough verifiers besides the worker.
 * o3 runs a job that is always audited (verification 101) and the verifiers uphold; o4 commits a wrong root,
 * the requester challenges it and the verifiers reveal the right one: rejected, o4's bond slashed.
 */
async function verification() {
  const more = a.operators.slice(3, 8);
  for (const o of more) op.push(lower(await a.registerNode(o!)));
  const [worker, cheat] = [more[0]!, more[1]!];
  const agentJob = { kind: JobKind.Agent, modelId: 0, datasetId: 0 };
  jobs.audited = (await a.submitJob(a.jobRequest({ ...agentJob, verification: 101 }))).jobId;
  jobs.rejected = (await a.submitJob(a.jobRequest(agentJob))).jobId;
  await a.timeTo(BigInt((await a.record(jobs.rejected)).bidEnd));
  await a.claim(worker, jobs.audited, VERIFIED_PRICE);
  await a.claim(cheat, jobs.rejected, VERIFIED_PRICE);
  await a.timeTo(await a.claimEnd(jobs.rejected));
  await a.submitResult(worker, jobs.audited, sha("right"), "file:///out/audited");
  await a.submitResult(cheat, jobs.rejected, sha("wrong"), "file:///out/rejected");
  await a.fund(a.requester.account.address, 10n * TOKEN, a.proofOfCompute.address);
  await a.challenge(jobs.rejected);
  // Past both seed blocks (auditDelay after the result, and after the challenge).
  await a.conn.networkHelpers.mine(Number(await a.proofOfCompute.read.auditDelay()) + 1);
  await a.drawAudit(jobs.audited);

  // Both disputes: the drawn verifiers commit the right root, then reveal it, then the majority decides.
  const k = await a.proofOfCompute.read.verifiers();
  const salt = sha("salt");
  const walletOf = (v: Address) => a.wallets.find((w) => lower(w.account.address) === lower(v))!;
  const drawn = { audited: [] as Address[], rejected: [] as Address[] };
  for (const name of ["audited", "rejected"] as const) {
    const picks = await a.drawnVerifiers(jobs[name], k);
    // k distinct nodes out of 2k draws among 8 is all but certain; a majority (2 of 3) is enough.
    if (picks.length < Math.floor(k / 2) + 1)
      throw new Error(`job ${name}: only ${picks.length} verifiers drawn`);
    for (const { address, index } of picks)
      await a.commit(walletOf(address), jobs[name], index, sha("right"), salt);
    drawn[name] = picks.map((p) => p.address);
  }
  // With fewer than k commits, reveals open when the commit phase ends.
  for (const name of ["audited", "rejected"] as const) {
    if (drawn[name].length < k)
      await a.timeTo((await a.proofOfCompute.read.disputeOf([jobs[name]]))[0].commitEnd);
  }
  for (const name of ["audited", "rejected"] as const) {
    for (const v of drawn[name]) await a.reveal(walletOf(v), jobs[name], sha("right"), salt);
    await a.resolve(jobs[name], drawn[name]);
  }
  const each = BUDGET / BigInt(k);
  const sorted = (vs: Address[]) => vs.map(lower).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
  verified.audited = { verifiers: sorted(drawn.audited), fee: each };
  // Rejected: each verifier also gets its share of 20% of the slashed bond.
  const n = BigInt(drawn.rejected.length);
  verified.rejected = { verifiers: sorted(drawn.rejected), fee: each + (BOND * 2_000n) / 10_000n / n };
}

/** What verifying paid `account` in the scripted history. */
const verifierFees = (account: string) =>
  Object.values(verified).reduce((sum, v) => sum + (v.verifiers.includes(account) ? v.fee : 0n), 0n);
const verifications = (account: string) =>
  Object.values(verified).filter((v) => v.verifiers.includes(account)).length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "artha-indexer-"));
  chain = await startChain({ port: 8569, logFile: join(dir, "chain.log") });
  // A verification budget (10% of a job's max price), so that verifiers are paid for an upheld result too.
  a = await deployArtha(
    { maxAttempts: 2, verificationBudgetBps: 1_000 },
    { name: "localhost", url: chain.rpcUrl },
  );
  deploymentFile = join(dir, "deployment.json");
  writeFileSync(deploymentFile, JSON.stringify(a.deployment));
  await scriptedHistory();
  // A database of its own, so no other run's rows or sync cache are seen.
  psql(`DROP DATABASE IF EXISTS ${database}`);
  psql(`CREATE DATABASE ${database}`);
  const [pglite, postgres] = await Promise.all(storages.map(start));
  Object.assign(indexers, { pglite, postgres });
  const n = await head();
  await Promise.all(storages.map((s) => indexers[s].caughtUp(n)));
}, 600_000);

afterAll(async () => {
  await Promise.all(storages.map((s) => indexers[s]?.stop()));
  await chain?.stop();
  try {
    psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } catch (error) {
    console.warn(`could not drop the test database ${database}: ${(error as Error).message}`);
  }
  if (process.env.ARTHA_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

describe.each(storages)("the indexer on %s follows the chain", (storage) => {
  const indexer = {
    get: <T = unknown>(path: string) => indexers[storage].get<T>(path),
    get url() {
      return indexers[storage].url;
    },
  };

  it("has every job in the state the contracts hold, with the same record", async () => {
    const count = await a.jobManager.read.jobCount();
    expect(count).toBe(8n);
    for (let id = 1n; id <= count; id++) {
      const record = await getJobRecord(a.publicClient as never, {
        jobManager: a.jobManager.address,
        jobId: id,
      });
      const row = await indexer.get<JobRow & { record: Record<string, unknown>; maxPrice: string }>(
        `/jobs/${id}`,
      );
      expect(row.state).toBe(jobStateLabel(record.state));
      // Addresses as Ponder decodes them (lowercase); everything else exactly as emitted.
      const emitted = JSON.stringify(record, (_k, v) =>
        typeof v === "bigint" ? String(v) : typeof v === "string" ? v.toLowerCase() : v,
      );
      expect(row.record).toEqual(JSON.parse(emitted));
    }
    const states = Object.fromEntries(
      await Promise.all(
        Object.entries(jobs).map(async ([name, id]) => [
          name,
          (await indexer.get<JobRow>(`/jobs/${id}`)).state,
        ]),
      ),
    );
    expect(states).toEqual({
      finalized: "finalized",
      cancelled: "cancelled",
      disputed: "disputed",
      expired: "expired",
      open: "open",
      dependent: "open",
      audited: "finalized",
      rejected: "failed",
    });
  });

  it("tells a job's whole story: timeline, claims, results, challenges and payouts", async () => {
    const done = await indexer.get<
      JobRow & {
        timeline: { name: string; state: string; node: string | null }[];
        claims: { node: string; previous: string | null; price: string }[];
        results: { node: string; outputUri: string }[];
        payouts: { kind: string; account: string; amount: string }[];
      }
    >(`/jobs/${jobs.finalized}`);
    expect(done.timeline.map((e) => [e.name, e.state])).toEqual([
      ["JobSubmitted", "open"],
      ["JobClaimed", "claimed"],
      ["JobClaimed", "claimed"],
      ["ResultSubmitted", "resultSubmitted"],
      ["JobFinalized", "finalized"],
    ]);
    expect(done.claims.map((c) => [c.node, c.previous, c.price])).toEqual([
      [op[0], null, `${50n * TOKEN}`],
      [op[1], op[0], `${40n * TOKEN}`],
    ]);
    expect(done.node).toBe(op[1]);
    expect(done.results).toMatchObject([{ node: op[1], outputUri: "file:///out/finalized" }]);
    expect(done.payouts.map((p) => [p.kind, p.account, p.amount])).toEqual([
      ["nodePayment", op[1], `${40n * TOKEN}`],
      ["refund", lower(a.requester.account.address), `${60n * TOKEN}`],
    ]);

    const expired = await indexer.get<{
      timeline: { name: string; node: string | null; amount: string | null }[];
    }>(`/jobs/${jobs.expired}`);
    expect(expired.timeline.map((e) => e.name)).toEqual([
      "JobSubmitted",
      "JobClaimed",
      "JobNodeSlashed",
      "JobReopened",
      "JobExpired",
    ]);
    const disputed = await indexer.get<{
      challenger: string;
      challenges: { status: string; challenger: string }[];
    }>(`/jobs/${jobs.disputed}`);
    expect(disputed.challenger).toBe(lower(a.requester.account.address));
    expect(disputed.challenges).toMatchObject([
      { status: "open", challenger: lower(a.requester.account.address) },
    ]);
    const dependent = await indexer.get<JobRow>(`/jobs/${jobs.dependent}`);
    expect(dependent.dependsOn).toEqual([`${jobs.finalized}`]);
  });

  it("tells a verification: the audit or challenge, the draw, commits, reveals, verdict and who was paid", async () => {
    type Story = JobRow & {
      challenger: string | null;
      timeline: { name: string; state: string; node: string | null; amount: string | null; data: never }[];
      challenges: { status: string; challenger: string; bond: string; bondReturned: string | null }[];
      payouts: { kind: string; account: string; amount: string }[];
    };
    const requester = lower(a.requester.account.address);
    const [worker, cheat] = [op[3]!, op[4]!];
    const steps = (s: Story) => s.timeline.map((e) => [e.name, e.state]);
    const votes = (state: string, n: number) => [
      ...Array(n).fill(["Committed", state]),
      ...Array(n).fill(["Revealed", state]),
    ];

    // Audited and upheld: the verifiers share the verification budget; the worker and the requester are
    // paid by the JobFinalized that follows.
    const audited = await indexer.get<Story>(`/jobs/${jobs.audited}`);
    const { verifiers: agreed, fee } = verified.audited;
    expect(audited).toMatchObject({ state: "finalized", node: worker, challenger: null, challenges: [] });
    expect(steps(audited)).toEqual([
      ["JobSubmitted", "open"],
      ["JobClaimed", "claimed"],
      ["ResultSubmitted", "resultSubmitted"],
      ["AuditDrawn", "resultSubmitted"],
      ["JobDisputed", "disputed"],
      ["VerifiersDrawn", "disputed"],
      ...votes("disputed", agreed.length),
      ["JobVerified", "finalized"],
      ["JobFinalized", "finalized"],
      ["DisputeResolved", "finalized"],
    ]);
    const at = (s: Story, name: string) => s.timeline.filter((e) => e.name === name);
    expect(at(audited, "AuditDrawn")[0]!.data).toMatchObject({ audited: true });
    expect(at(audited, "JobDisputed")[0]!.data).toEqual({ challenger: null, audit: true });
    expect(at(audited, "Revealed").map((e) => [e.node, e.data])).toEqual(
      expect.arrayContaining(agreed.map((v) => [v, { result: sha("right"), agrees: true }])),
    );
    expect(at(audited, "JobVerified")[0]).toMatchObject({
      node: worker,
      data: { upheld: true, slashed: "0" },
    });
    expect(at(audited, "DisputeResolved")[0]!.data).toEqual({
      upheld: true,
      challenger: null,
      agree: agreed.length,
      disagree: 0,
    });
    const rest = 100n * TOKEN - fee * BigInt(agreed.length) - VERIFIED_PRICE;
    expect(audited.payouts.map((p) => [p.kind, p.account, p.amount])).toEqual([
      ...agreed.map((v) => ["verifierFee", v, `${fee}`]),
      ["nodePayment", worker, `${VERIFIED_PRICE}`],
      ["refund", requester, `${rest}`],
    ]);

    // Challenged and rejected: the worker's bond is slashed to the verifiers, the challenger and the requester.
    const rejected = await indexer.get<Story>(`/jobs/${jobs.rejected}`);
    const { verifiers: disagreed, fee: slashedFee } = verified.rejected;
    expect(rejected).toMatchObject({ state: "failed", node: cheat, challenger: requester });
    expect(steps(rejected)).toEqual([
      ["JobSubmitted", "open"],
      ["JobClaimed", "claimed"],
      ["ResultSubmitted", "resultSubmitted"],
      ["JobDisputed", "disputed"],
      ["VerifiersDrawn", "disputed"],
      ...votes("disputed", disagreed.length),
      ["JobVerified", "failed"],
      ["DisputeResolved", "failed"],
    ]);
    expect(at(rejected, "Revealed").every((e) => (e.data as { agrees: boolean }).agrees === false)).toBe(
      true,
    );
    expect(at(rejected, "JobVerified")[0]).toMatchObject({
      node: cheat,
      amount: `${BOND}`,
      data: { upheld: false, slashed: `${BOND}` },
    });
    expect(rejected.challenges).toMatchObject([
      { status: "rejected", challenger: requester, bond: `${10n * TOKEN}`, bondReturned: `${10n * TOKEN}` },
    ]);
    const share = (BOND * 2_000n) / 10_000n;
    const refund = 100n * TOKEN + BOND - slashedFee * BigInt(disagreed.length) - share;
    expect(rejected.payouts.map((p) => [p.kind, p.account, p.amount])).toEqual([
      ...disagreed.map((v) => ["verifierFee", v, `${slashedFee}`]),
      ["slashShare", requester, `${share}`],
      ["refund", requester, `${refund}`],
    ]);
    // What the indexer credited is what the job manager holds for the verifiers (none has withdrawn since).
    for (const v of new Set([...agreed, ...disagreed])) {
      const credited = verifierFees(v) + (v === worker ? VERIFIED_PRICE : 0n);
      expect(await a.jobManager.read.balanceOf([getAddress(v)])).toBe(credited);
    }

    // The nodes: the cheat failed and was slashed; the verifiers earned their fees.
    const slashed = await indexer.get<Record<string, unknown> & { history: { name: string }[] }>(
      `/nodes/${cheat}`,
    );
    expect(slashed).toMatchObject({ claims: 1, completed: 0, failed: 1, slashes: 1, slashed: `${BOND}` });
    const lines = slashed.history.map((h) => h.name).filter((name) => name !== "verifierFee");
    expect(lines.slice(-3)).toEqual(["claimed", "Slashed", "resultRejected"]);
    expect(slashed.stake).toBe(`${(await a.nodeRegistry.read.getNode([getAddress(cheat)])).stake}`);
    const paid = await indexer.get<{ completed: number; earnings: string }>(`/nodes/${worker}`);
    expect(paid).toMatchObject({ completed: 1, earnings: `${VERIFIED_PRICE + verifierFees(worker)}` });
    for (const v of agreed) {
      const n = await indexer.get<{ history: { name: string; jobId: string | null }[] }>(`/nodes/${v}`);
      expect(n.history.filter((h) => h.name === "verifierFee").map((h) => h.jobId)).toContain(
        `${jobs.audited}`,
      );
    }
  });

  it("serves each job's story as its tables hold it (the copy on job_story agrees with them)", async () => {
    const fields = {
      timeline: "id jobId name state node amount data logIndex block timestamp tx",
      claims: "id jobId node previous price attempt block timestamp tx",
      results: "id jobId node outputRoot metricsHash outputUri block timestamp tx",
      challenges: "id jobId challenger bond timeoutAt status bondReturned block timestamp tx",
      payouts: "id kind account jobId amount block timestamp tx",
    };
    type Rows = Record<keyof typeof fields, { id: string }[]>;
    const parts = Object.keys(fields) as (keyof typeof fields)[];
    const query = `{ jobs(limit: 100) { items { id ${parts
      .map((p) => `${p}(limit: 100) { items { ${fields[p]} } }`)
      .join(" ")} } } }`;
    const res = await fetch(`${indexer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as {
      data: { jobs: { items: ({ id: string } & Record<keyof Rows, { items: { id: string }[] }>)[] } };
      errors?: unknown[];
    };
    expect(body.errors).toBeUndefined();
    const byId = (rows: { id: string }[]) => [...rows].sort((x, y) => x.id.localeCompare(y.id));
    expect(body.data.jobs.items).toHaveLength(8);
    let told = 0;
    for (const tables of body.data.jobs.items) {
      const story = await indexer.get<Rows>(`/jobs/${tables.id}`);
      for (const p of parts) {
        expect(byId(story[p]), `job ${tables.id} ${p}`).toEqual(byId(tables[p].items));
        told += story[p].length;
      }
    }
    // Every part appears somewhere in the scripted history.
    expect(told).toBeGreaterThan(20);
  });

  it("filters and pages /jobs, newest first", async () => {
    const open = await indexer.get<Page<JobRow>>("/jobs?state=open");
    expect(open.items.map((j) => j.id)).toEqual([`${jobs.dependent}`, `${jobs.open}`]);
    expect(open.nextCursor).toBeNull();
    const byNode = await indexer.get<Page<JobRow>>(`/jobs?node=${getAddress(op[1]!)}`);
    expect(byNode.items.map((j) => j.id)).toEqual([`${jobs.finalized}`]);
    const infer = await indexer.get<Page<JobRow>>("/jobs?kind=infer");
    expect(infer.items.map((j) => j.id)).toEqual([`${jobs.dependent}`, `${jobs.cancelled}`]);
    const onModel = await indexer.get<Page<JobRow>>("/jobs?model=2&dataset=2");
    expect(onModel.items.map((j) => j.id)).toEqual([`${jobs.finalized}`]);

    const seen: string[] = [];
    let cursor: string | null = "";
    for (let pages = 0; cursor !== null; pages++) {
      const p: Page<JobRow> = await indexer.get(`/jobs?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...p.items.map((j) => j.id));
      cursor = p.nextCursor;
      expect(pages).toBeLessThan(3);
    }
    expect(seen).toEqual(["8", "7", "6", "5", "4", "3", "2", "1"]);
  });

  it("answers bad input with a 400 naming the parameter, and unknown ids with a 404", async () => {
    const bad = async (path: string) => {
      const res = await fetch(`${indexer.url}${path}`);
      return { status: res.status, body: (await res.json()) as { parameter?: string; message: string } };
    };
    expect(await bad("/jobs?colour=red")).toMatchObject({ status: 400, body: { parameter: "colour" } });
    expect((await bad("/jobs?colour=red")).body.message).toContain("unknown parameter; known: state, kind");
    expect(await bad("/jobs?state=running")).toMatchObject({ status: 400, body: { parameter: "state" } });
    expect(await bad("/jobs?limit=101")).toMatchObject({
      status: 400,
      body: { parameter: "limit", message: "expected a page size from 1 to 100" },
    });
    expect(await bad("/jobs?requester=0x12")).toMatchObject({
      status: 400,
      body: { parameter: "requester" },
    });
    expect(await bad("/jobs/abc")).toMatchObject({ status: 400, body: { parameter: "id" } });
    expect(await bad("/models/1/lineage?depth=2")).toMatchObject({
      status: 400,
      body: { parameter: "depth" },
    });
    expect(await bad("/jobs/999")).toMatchObject({
      status: 404,
      body: { message: expect.stringContaining("job 999") },
    });
    expect((await bad("/nodes/0x000000000000000000000000000000000000dEaD")).status).toBe(404);
    expect((await bad("/models/77")).status).toBe(404);
    expect((await fetch(`${indexer.url}/nowhere`)).status).toBe(404);
  });

  it("has each node's stake, certification, activity and history", async () => {
    const runner = await indexer.get<{
      claims: number;
      outbid: number;
      completed: number;
      earnings: string;
      active: boolean;
      history: { name: string }[];
    }>(`/nodes/${op[1]}`);
    // Any node but a job's worker may be drawn to verify it, o1 included.
    expect(runner).toMatchObject({
      claims: 1,
      outbid: 0,
      completed: 1,
      earnings: `${40n * TOKEN + verifierFees(op[1]!)}`,
      active: true,
    });
    expect(runner.history.map((h) => h.name).filter((name) => name !== "verifierFee")).toEqual([
      "ActiveChanged",
      "NodeRegistered",
      "claimed",
      "paid",
    ]);
    expect(runner.history.filter((h) => h.name === "verifierFee")).toHaveLength(verifications(op[1]!));
    const outbid = await indexer.get<{ claims: number; outbid: number }>(`/nodes/${op[0]}`);
    expect(outbid).toMatchObject({ claims: 2, outbid: 1 });

    const late = await indexer.get<Record<string, unknown>>(`/nodes/${op[2]}`);
    const onChain = await a.nodeRegistry.read.getNode([getAddress(op[2]!)]);
    expect(late).toMatchObject({
      stake: `${onChain.stake}`,
      unbonding: `${onChain.unbonding}`,
      unbondingEnds: `${onChain.unbondingEnds}`,
      certLevel: 2,
      certExpiry: `${onChain.certExpiry}`,
      gpuCount: 4,
      failed: 1,
      slashes: 1,
      active: await a.nodeRegistry.read.isActive([getAddress(op[2]!)]),
    });
    const all = await indexer.get<Page<{ address: string }>>("/nodes?minGpus=2");
    expect(all.items.map((n) => n.address)).toEqual([op[2]]);
  });

  it("serves datasets, models and the lineage graph the SDK draws", async () => {
    const datasets = await indexer.get<Page<{ id: string; license: string }>>("/datasets");
    expect(datasets.items.map((d) => [d.id, d.license])).toEqual([
      ["1", "CC-BY-4.0"],
      ["2", "CC0-1.0"],
    ]);
    const children = await indexer.get<Page<{ id: string; published: boolean }>>("/models?parent=1");
    expect(children.items).toMatchObject([{ id: "2", published: true }]);
    expect((await indexer.get<Page<unknown>>("/models?dataset=2")).items).toHaveLength(1);
    const child = await indexer.get<{ checkpoints: { id: string; source: string }[] }>("/models/2");
    expect(child.checkpoints.map((c) => [c.id, c.source])).toEqual([
      ["1", "registry"],
      [`job-${jobs.finalized}`, "job"],
    ]);

    const lineage = await indexer.get<{
      nodes: { id: string }[];
      edges: { from: string; to: string; kind: string }[];
    }>("/models/1/lineage");
    const runner = `node:${getAddress(op[1]!)}`;
    expect(lineage.nodes.map((n) => n.id).sort()).toEqual(
      [
        "model:1",
        "model:2",
        "dataset:1",
        "dataset:2",
        "checkpoint:1",
        `checkpoint:job-${jobs.finalized}`,
        `job:${jobs.finalized}`,
        runner,
      ].sort(),
    );
    expect(lineage.edges).toEqual(
      expect.arrayContaining([
        { from: "model:2", to: "model:1", kind: "parent" },
        { from: "model:2", to: "dataset:2", kind: "trainedOn" },
        { from: `checkpoint:job-${jobs.finalized}`, to: `job:${jobs.finalized}`, kind: "producedBy" },
        { from: `job:${jobs.finalized}`, to: runner, kind: "ranOn" },
      ]),
    );
  });

  it("counts the network in /stats, and answers GraphQL", async () => {
    const stats = await indexer.get<Record<string, unknown>>("/stats");
    expect(stats).toMatchObject({
      nodes: { registered: 8 },
      jobs: {
        total: 8,
        byState: { open: 2, finalized: 2, cancelled: 1, disputed: 1, expired: 1, failed: 1 },
      },
      datasets: 2,
      models: 2,
      checkpoints: 2,
      paid: { volume: `${40n * TOKEN + VERIFIED_PRICE}`, jobs: 2 },
    });
    const res = await fetch(`${indexer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ jobs(where: { state: "open" }) { items { id state } } }` }),
    });
    const body = (await res.json()) as { data: { jobs: { items: { id: string }[] } } };
    expect(body.data.jobs.items.map((j) => j.id).sort()).toEqual(
      [`${jobs.open}`, `${jobs.dependent}`].sort(),
    );
  });

  it("serves its OpenAPI document, the same as the checked-in indexer/openapi.json", async () => {
    const served = await indexer.get("/openapi.json");
    const file = JSON.parse(readFileSync(join(import.meta.dirname, "../openapi.json"), "utf8"));
    expect(served).toEqual(JSON.parse(JSON.stringify(openapi)));
    expect(file).toEqual(served);
  });
});

describe("live updates, reorgs and restarts, on both storages", () => {
  it("streams a finished job's timeline and ends; streams new events of every job as they come", async () => {
    await onEach(async (indexer) => {
      const res = await fetch(`${indexer.url}/jobs/${jobs.cancelled}/events`);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const text = await res.text();
      const names = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).name);
      expect(names).toEqual(["JobSubmitted", "JobCancelled"]);
      // A verdict's transaction goes on after its terminal event: the stream ends after the whole of it.
      const verdict = await (await fetch(`${indexer.url}/jobs/${jobs.audited}/events`)).text();
      const told = [...verdict.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).name);
      expect(told.slice(-3)).toEqual(["JobVerified", "JobFinalized", "DisputeResolved"]);
    });

    const streams = storages.map((storage) => {
      const controller = new AbortController();
      const response = fetch(`${indexers[storage].url}/jobs/events`, { signal: controller.signal });
      return { storage, controller, response };
    });
    const readers = await Promise.all(streams.map(async (s) => (await s.response).body!.getReader()));
    const { jobId } = await a.submitJob(a.jobRequest({ bidWindow: 3000 }));
    for (const [i, reader] of readers.entries()) {
      let received = "";
      while (!received.includes(`"jobId":"${jobId}"`)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        received += new TextDecoder().decode(chunk.value);
      }
      streams[i]!.controller.abort();
      const event = received.split("\n\n").find((e) => e.includes(`"jobId":"${jobId}"`));
      expect(event, streams[i]!.storage).toMatch(/^event: job$/m);
      expect(event).toMatch(/^id: \S+$/m);
      expect(event).toContain('"name":"JobSubmitted"');
      // It started at connection time: none of the history before it.
      expect(received).not.toContain(`"jobId":"${jobs.finalized}"`);
    }
    await a.cancel(jobId);
  });

  it("follows a reorg: a job mined on an abandoned branch gives way to the new branch's", async () => {
    const caughtUp = async (n: bigint) => Promise.all(storages.map((s) => indexers[s].caughtUp(n)));
    await caughtUp(await head());
    const snapshot = await a.publicClient.request({ method: "evm_snapshot" as never });
    const { jobId, receipt } = await a.submitJob(a.jobRequest({ maxPrice: 11n * TOKEN, bidWindow: 3000 }));
    await caughtUp(receipt.blockNumber);
    await onEach(async (indexer) => {
      expect((await indexer.get<{ maxPrice: string }>(`/jobs/${jobId}`)).maxPrice).toBe(`${11n * TOKEN}`);
    });

    await a.publicClient.request({ method: "evm_revert" as never, params: [snapshot] as never });
    const other = await a.submitJob(a.jobRequest({ maxPrice: 22n * TOKEN, bidWindow: 3000 }));
    expect(other.jobId).toBe(jobId);
    // Mine past the abandoned branch's height, so the new branch is the longer one.
    await a.mined(a.token.write.mint([a.admin.account.address, 1n]));
    await a.mined(a.token.write.mint([a.admin.account.address, 1n]));
    await onEach(async (indexer, storage) => {
      const deadline = Date.now() + 60_000;
      let maxPrice = "";
      while (Date.now() < deadline) {
        const row = await indexer.get<{ maxPrice: string }>(`/jobs/${jobId}`).catch(() => ({ maxPrice: "" }));
        maxPrice = row.maxPrice;
        if (maxPrice === `${22n * TOKEN}`) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(maxPrice).toBe(`${22n * TOKEN}`);
      expect(indexerLogLines(logFile(storage), /"msg":"Reorged block"/).length).toBeGreaterThan(0);
    });
  });

  it("resumes after a restart from where it stopped, without indexing from scratch", async () => {
    await Promise.all(storages.map((s) => indexers[s].stop()));
    const { jobId } = await a.submitJob(a.jobRequest({ bidWindow: 3000 }));
    const [pglite, postgres] = await Promise.all(storages.map(start));
    Object.assign(indexers, { pglite, postgres });
    const n = await head();
    await onEach(async (indexer, storage) => {
      await indexer.caughtUp(n);
      expect((await indexer.get<JobRow>(`/jobs/${jobId}`)).state).toBe("open");
      expect(indexerLogLines(logFile(storage), /crash recovery/i).length).toBeGreaterThan(0);
      expect((await indexer.get<{ jobs: { total: number } }>("/stats")).jobs.total).toBe(Number(jobId));
    });
  });
});
