import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deployArtha, sha } from "../../../scripts/lib/artha.ts";
import { toJobEvents } from "../watch/jobEvents.ts";
import type { ProofEvent } from "../watch/proofEvents.ts";
import { openStore } from "./openStore.ts";

const dir = mkdtempSync(join(tmpdir(), "artha-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openStore", () => {
  it("keeps what JobSubmitted and ResultSubmitted said beside each job's latest record", async () => {
    const a = await deployArtha();
    const op = a.operators[0]!;
    await a.registerNode(op);
    const { jobId } = await a.submitJob(a.jobRequest({ bidWindow: 5 }));
    await a.time.increase(5);
    await a.claim(op, jobId, 10n);
    await a.time.increase(30);
    await a.submitResult(op, jobId, sha("out"), "http://127.0.0.1:7070/jobs/1/outputs/");
    const logs = await a.publicClient.getLogs({ address: a.jobManager.address, fromBlock: 0n });
    const store = openStore(join(dir, "a.db"));
    store.applyBatch({ fromBlock: 0n, toBlock: 100n, events: toJobEvents(logs) });
    const job = store.job(jobId)!;
    expect(job.lastEvent).toBe("ResultSubmitted");
    expect(job.job).toEqual(await a.record(jobId));
    expect(job.details).toEqual({
      imageDigest: sha("image"),
      specHash: sha("spec"),
      specUri: "file:///specs/train.json",
      dependsOn: [],
      outputUri: "http://127.0.0.1:7070/jobs/1/outputs/",
      metricsHash: sha("metrics"),
    });
    store.close();
  });

  it("moves a job through work phases, merging what each stage stored, durably", () => {
    const path = join(dir, "b.db");
    const store = openStore(path);
    store.setWork(7n, "bid", {
      price: 5n,
      attempt: 0,
      reservation: { cpus: 1, memoryMb: 512, gpuIndexes: [] },
    });
    store.setWork(7n, "claimed", { claimTx: "0xabc" });
    store.setWork(8n, "lost", { reason: "outbid" });
    store.close();
    const again = openStore(path); // as after kill -9
    expect(again.work(7n)).toMatchObject({
      phase: "claimed",
      data: { price: 5n, attempt: 0, claimTx: "0xabc" },
    });
    expect(again.allWork({ active: true }).map((w) => w.jobId)).toEqual([7n]);
    expect(again.allWork().map((w) => w.phase)).toEqual(["claimed", "lost"]);
    expect(again.work(9n)).toBeUndefined();
    again.close();
  });

  it("keeps disputes from ProofOfCompute events with their own cursor, and the verifier's part with its salt", () => {
    const path = join(dir, "c.db");
    const v1 = "0x1111111111111111111111111111111111111111";
    const v2 = "0x2222222222222222222222222222222222222222";
    const store = openStore(path);
    const event = (name: ProofEvent["name"], jobId: bigint, blockNumber: bigint, args = {}) =>
      ({ name, jobId, args, blockNumber, logIndex: 0, transactionHash: "0x01" }) as ProofEvent;
    store.applyProofBatch({
      fromBlock: 0n,
      toBlock: 20n,
      events: [
        event("VerifiersDrawn", 3n, 10n, { round: 1, seed: 0n, seedBlock: 12n, commitEnd: 500 }),
        event("VerifiersDrawn", 4n, 11n, { round: 1, seed: 9n, seedBlock: 11n, commitEnd: 600 }),
        event("Committed", 3n, 15n, { verifier: v1, round: 1, index: 0n }),
        event("Committed", 3n, 15n, { verifier: v2.toLowerCase(), round: 1, index: 3n }),
        event("Committed", 4n, 16n, { verifier: v1, round: 1, index: 1n }),
        event("Revealed", 4n, 17n, { verifier: v1, result: sha("r"), agrees: true }),
        event("DisputeResolved", 4n, 18n),
      ],
    });
    expect(store.proofCursor()).toBe(21n);
    expect(store.cursor()).toBeUndefined(); // the job watcher's cursor is its own
    expect(store.openDisputes()).toEqual([
      {
        jobId: 3n,
        open: true,
        round: 1,
        seedBlock: 12n,
        commitEnd: 500n,
        lastEvent: "Committed",
        lastBlock: 15n,
      },
    ]);
    expect(store.dispute(4n)).toMatchObject({ open: false, lastEvent: "DisputeResolved" });
    // Each committed verifier with what became of its vote: a vote still "committed" is slashable once over.
    expect(store.disputeVotes(4n)).toEqual([{ jobId: 4n, verifier: v1, round: 1, status: "revealed" }]);
    store.applyProofBatch({
      fromBlock: 21n,
      toBlock: 30n,
      events: [
        event("VerifierSlashed", 3n, 25n, { verifier: v2, amount: 20n }),
        event("Committed", 3n, 26n, { verifier: v2, round: 2, index: 0n }), // replayed or late: kept as it was
      ],
    });
    expect(store.disputeVotes(3n)).toEqual([
      { jobId: 3n, verifier: v1, round: 1, status: "committed" },
      { jobId: 3n, verifier: v2, round: 1, status: "slashed" },
    ]);
    store.setVerification(3n, "ran", { round: 1, index: 2n, result: sha("r"), agrees: true, salt: sha("s") });
    store.setVerification(3n, "committed", { commitTx: "0xc0" });
    store.setVerification(4n, "done", { reason: "the dispute ended" });
    store.close();
    const again = openStore(path); // as after kill -9: the salt survives for the reveal
    expect(again.verification(3n)).toMatchObject({
      phase: "committed",
      data: { round: 1, index: 2n, salt: sha("s"), result: sha("r"), agrees: true, commitTx: "0xc0" },
    });
    expect(again.allVerifications({ active: true }).map((v) => v.jobId)).toEqual([3n]);
    again.close();
  });
});
