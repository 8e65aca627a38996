import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deployArtha, sha } from "../../../scripts/lib/artha.ts";
import { toJobEvents } from "../watch/jobEvents.ts";
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
});
