// Gas of a whole job on the contracts, step by step: `npm run bench:gas`.
// The happy path is submit (with ERC-20 escrow), claim, result, finalize. It is measured on a running
// network's second job (the requester and node already have balances, as in steady state) and, separately,
// on the very first job, where more storage goes from zero to non-zero.
import type { TransactionReceipt } from "viem";
import { deployArtha, JobKind, sha } from "../scripts/lib/artha.ts";

const a = await deployArtha();
const [op] = a.operators;
await a.registerNode(op!);
const { modelId, datasetId } = a;
const gas = (r: TransactionReceipt) => r.gasUsed;

async function happyPath(kind: number) {
  const { jobId, receipt } = await a.submitJob(a.jobRequest({ kind, modelId, datasetId }));
  const submit = gas(receipt);
  await a.timeTo(BigInt((await a.record(jobId)).bidEnd));
  const claim = gas(await a.claim(op!, jobId, 60n * 1_000_000n));
  await a.timeTo(await a.claimEnd(jobId));
  const result = gas(await a.submitResult(op!, jobId, sha(`root${jobId}`), "file:///out/job"));
  await a.time.increase(a.params.challengeWindow);
  const finalize = gas(await a.finalize(jobId));
  return { submit, claim, result, finalize, total: submit + claim + result + finalize };
}

const firstTrain = await happyPath(JobKind.Train);
const train = await happyPath(JobKind.Train);
const infer = await happyPath(JobKind.Infer);

console.log(`submit_gas: ${train.submit}`);
console.log(`claim_gas: ${train.claim}`);
console.log(`result_gas: ${train.result}`);
console.log(`finalize_gas: ${train.finalize}`);
console.log(`happy_path_gas: ${train.total}`);
console.log(`happy_path_infer_gas: ${infer.total}`);
console.log(`happy_path_first_job_gas: ${firstTrain.total}`);
console.log("happy_path_target_gas: 250000");
console.log(`happy_path_vs_iexec_poco_ratio: ${(Number(train.total) / 1_800_000).toFixed(3)}`);
