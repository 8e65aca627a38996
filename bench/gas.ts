// Gas of a whole job on the contracts, step by step: `npm run bench:gas`.
// The happy path is submit (with ERC-20 escrow), claim, result, finalize. It is measured on a running
// network's second job (the requester and node already have balances, as in steady state) and, separately,
// on the very first job, where more storage goes from zero to non-zero. The deployment has the production
// verification parameters (random audits on, a verification budget), so finalize pays for the audit check.
// The dispute path is a requester's challenge, k verifiers' commits and reveals, and the resolution, two ways:
// signed (the commits and reveals exchanged off-chain, one resolveSigned transaction checks k signatures and
// settles) and on-chain (k commit and k reveal transactions, then resolve: the fallback for split votes and
// silent verifiers). docs/verification.md, "Signed votes".
import { resolveDisputeSigned, signVerificationVote } from "@arthaain/sdk";
import { type Address, isAddressEqual, type TransactionReceipt } from "viem";
import { defaultParams } from "../ignition/modules/Artha.ts";
import { deployArtha, JobKind, sha, TOKEN } from "../scripts/lib/artha.ts";

const a = await deployArtha({
  auditBps: defaultParams.auditBps,
  verificationBudgetBps: defaultParams.verificationBudgetBps,
});
const [op, ...others] = a.operators;
await a.registerNode(op!);
// Verifiers are drawn from the active nodes: a network of twelve besides the worker.
for (const o of others.slice(0, 12)) await a.registerNode(o);
const { modelId, datasetId } = a;
const gas = (r: TransactionReceipt) => r.gasUsed;
const price = 60n * TOKEN;
const auditDelay = BigInt(await a.proofOfCompute.read.auditDelay());
const mine = (blocks: bigint) => a.conn.networkHelpers.mine(blocks);

async function resultJob(kind: number) {
  const { jobId, receipt } = await a.submitJob(a.jobRequest({ kind, modelId, datasetId }));
  await a.timeTo(BigInt((await a.record(jobId)).bidEnd));
  const claim = await a.claim(op!, jobId, price);
  await a.timeTo(await a.claimEnd(jobId));
  const result = await a.submitResult(op!, jobId, sha(`root${jobId}`), "file:///out/job");
  return { jobId, submit: gas(receipt), claim: gas(claim), result: gas(result) };
}

/** A job the random audit lets through (a drawn one is left to its dispute and another job is tried). */
async function happyPath(kind: number) {
  for (;;) {
    const job = await resultJob(kind);
    await mine(auditDelay + 1n);
    await a.time.increase(a.params.challengeWindow);
    const r = await a.record(job.jobId);
    const resultBlock = await a.jobManager.read.lastChangeBlock([job.jobId]);
    if (await a.proofOfCompute.read.auditDue([job.jobId, r.verification, resultBlock])) continue;
    const finalize = gas(await a.finalize(job.jobId));
    return { ...job, finalize, total: job.submit + job.claim + job.result + finalize };
  }
}

/** A challenge whose draw names k distinct nodes; a draw that names fewer (they then wait for the commit
 * phase to end) is left to its dispute and another job is tried, so every figure is for k. */
async function challenged() {
  const k = await a.proofOfCompute.read.verifiers();
  for (;;) {
    const { jobId } = await resultJob(JobKind.Infer);
    await a.fund(a.requester.account.address, BigInt(defaultParams.challengeBond), a.proofOfCompute.address);
    const challenge = gas(await a.challenge(jobId));
    await mine(auditDelay + 1n);
    const verifiers = await a.drawnVerifiers(jobId, k);
    if (verifiers.length === k) return { jobId, challenge, verifiers };
  }
}

const walletOf = (address: Address) => a.wallets.find((w) => isAddressEqual(w.account.address, address))!;

/** The on-chain path: a challenge, k commits, k reveals, resolve. */
async function disputePath() {
  const { jobId, challenge, verifiers } = await challenged();
  return settle(jobId, challenge, verifiers);
}

/** The signed path: a challenge, then one resolveSigned carrying the k votes signed off-chain. */
async function signedDisputePath() {
  const { jobId, challenge, verifiers } = await challenged();
  const result = (await a.record(jobId)).outputRoot;
  const votes = await Promise.all(
    verifiers.map((v) =>
      signVerificationVote(a.sdkContext(walletOf(v.address)), {
        jobId,
        round: 1,
        index: v.index,
        result,
        agrees: true,
        salt: sha(`salt${v.address}`),
      }),
    ),
  );
  const { hash } = await resolveDisputeSigned(a.sdkContext(walletOf(verifiers[0]!.address)), {
    jobId,
    votes,
  });
  const resolve = (await a.publicClient.getTransactionReceipt({ hash })).gasUsed;
  return { challenge, resolve, total: challenge + resolve };
}

async function settle(jobId: bigint, challenge: bigint, verifiers: { address: Address; index: bigint }[]) {
  const root = (await a.record(jobId)).outputRoot;
  let commits = 0n;
  let reveals = 0n;
  for (const v of verifiers) {
    commits += gas(await a.commit(walletOf(v.address), jobId, v.index, root, sha(`salt${v.address}`)));
  }
  for (const v of verifiers) {
    reveals += gas(await a.reveal(walletOf(v.address), jobId, root, sha(`salt${v.address}`)));
  }
  const resolve = gas(
    await a.resolve(
      jobId,
      verifiers.map((v) => v.address),
    ),
  );
  return {
    k: verifiers.length,
    challenge,
    commits,
    reveals,
    resolve,
    total: challenge + commits + reveals + resolve,
  };
}

const firstTrain = await happyPath(JobKind.Train);
const train = await happyPath(JobKind.Train);
const infer = await happyPath(JobKind.Infer);
// A verifier's first fee creates its balance slot: which nodes a dispute draws moves its gas by up to
// ~50,000. The figures are the median of eight disputes after two that warm the network up, each path.
const median = async <T extends { total: bigint }>(path: () => Promise<T>) => {
  for (let i = 0; i < 2; i++) await path();
  const runs: T[] = [];
  for (let i = 0; i < 8; i++) runs.push(await path());
  runs.sort((x, y) => (x.total < y.total ? -1 : 1));
  return { median: runs[runs.length / 2]!, min: runs[0]!, max: runs.at(-1)! };
};
const onChain = await median(disputePath);
const signed = await median(signedDisputePath);
const dispute = onChain.median;

console.log(`submit_gas: ${train.submit}`);
console.log(`claim_gas: ${train.claim}`);
console.log(`result_gas: ${train.result}`);
console.log(`finalize_gas: ${train.finalize}`);
console.log(`happy_path_gas: ${train.total}`);
console.log(`happy_path_infer_gas: ${infer.total}`);
console.log(`happy_path_first_job_gas: ${firstTrain.total}`);
console.log("happy_path_target_gas: 250000");
console.log(`happy_path_vs_iexec_poco_ratio: ${(Number(train.total) / 1_800_000).toFixed(3)}`);
console.log(`dispute_verifiers: ${dispute.k}`);
console.log(`challenge_gas: ${signed.median.challenge}`);
console.log(`resolve_signed_gas: ${signed.median.resolve}`);
console.log(`dispute_path_gas: ${signed.median.total}`);
console.log(`dispute_path_min_gas: ${signed.min.total}`);
console.log(`dispute_path_max_gas: ${signed.max.total}`);
console.log("dispute_path_target_gas: 400000");
console.log(`commit_gas: ${dispute.commits / BigInt(dispute.k)}`);
console.log(`reveal_gas: ${dispute.reveals / BigInt(dispute.k)}`);
console.log(`resolve_gas: ${dispute.resolve}`);
console.log(`dispute_path_onchain_gas: ${dispute.total}`);
console.log(`dispute_path_onchain_min_gas: ${onChain.min.total}`);
console.log(`dispute_path_onchain_max_gas: ${onChain.max.total}`);
console.log(
  `dispute_path_signed_vs_onchain_ratio: ${(Number(signed.median.total) / Number(dispute.total)).toFixed(3)}`,
);
// What the audit rate buys and costs (docs/verification.md): a cheater saving compute worth c of its price P
// loses in expectation when p·(B+P) ≥ (1−p)·c; the worst case is c = P (no work at all).
const p = defaultParams.auditBps / 10_000;
const k = defaultParams.verifiers;
const bondRatio = defaultParams.bondBps / 10_000; // B / P
console.log(`audit_rate: ${p}`);
console.log(`audit_extra_compute_p_k: ${(p * k).toFixed(3)}`);
console.log(`deterrence_min_audit_rate_c_eq_price: ${(1 / (bondRatio + 2)).toFixed(4)}`);
console.log(`deterrence_max_saved_cost_over_price: ${((p * (bondRatio + 1)) / (1 - p)).toFixed(3)}`);
