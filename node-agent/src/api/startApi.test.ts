import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logsAuthHeaders, outputRootOfManifest } from "@arthaain/sdk";
import { outputRootOfDirectory } from "@arthaain/sdk/node";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devKey } from "../../../scripts/lib/agentNetwork.ts";
import { deployArtha } from "../../../scripts/lib/artha.ts";
import { createMetrics } from "../metrics/createMetrics.ts";
import { openStore, type Store } from "../state/openStore.ts";
import { toJobEvents } from "../watch/jobEvents.ts";
import { startApi } from "./startApi.ts";

const dir = mkdtempSync(join(tmpdir(), "artha-api-"));
let api: Awaited<ReturnType<typeof startApi>>;
let store: Store;
let jobId: bigint;
const requester = privateKeyToAccount(devKey(1)); // Hardhat account 1: deployArtha's requester
const stranger = privateKeyToAccount(devKey(9));

beforeAll(async () => {
  const a = await deployArtha();
  ({ jobId } = await a.submitJob());
  store = openStore(join(dir, "agent.db"));
  const logs = await a.publicClient.getLogs({ address: a.jobManager.address, fromBlock: 0n });
  store.applyBatch({ fromBlock: 0n, toBlock: 1000n, events: toJobEvents(logs) });
  const jobDir = (id: bigint, attempt: number) => join(dir, "jobs", `${id}-${attempt}`);
  const out = join(jobDir(jobId, 0), "out");
  mkdirSync(join(out, "checkpoints"), { recursive: true });
  writeFileSync(join(out, "model.bin"), "weights");
  writeFileSync(join(out, "checkpoints/step-1.bin"), "early weights");
  writeFileSync(join(jobDir(jobId, 0), "job.log"), "epoch 1 loss 0.5\n");
  store.setWork(jobId, "ran", { attempt: 0, outputRoot: (await outputRootOfDirectory(out)).root });
  api = await startApi(
    {
      store,
      metrics: createMetrics(),
      deployment: {
        chainId: 31337,
        startBlock: 0,
        params: {},
        contracts: { jobManager: a.jobManager.address } as never,
      },
      address: "0x0000000000000000000000000000000000000001",
      jobDir,
      health: () => ({ chainHead: "5" }),
    },
    { host: "127.0.0.1", port: 0 },
  );
});
afterAll(async () => {
  await api?.stop();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });

describe("agent API", () => {
  it("serves health and Prometheus metrics", async () => {
    expect(await (await get("/health")).json()).toEqual({ status: "ok", chainHead: "5" });
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain("artha_node_claims_won_total 0");
    expect(metrics).toContain("artha_node_rpc_errors_total 0");
  });

  it("serves a job's outputs as a manifest that hashes to the output root, then each listed file", async () => {
    const manifest = await (await get(`/jobs/${jobId}/outputs/`)).text();
    expect(outputRootOfManifest(manifest)).toBe(store.work(jobId)!.data.outputRoot);
    expect(await (await get(`/jobs/${jobId}/outputs/checkpoints/step-1.bin`)).text()).toBe("early weights");
    expect((await get(`/jobs/${jobId}/outputs/../job.log`)).status).toBe(404); // URL normalised away from outputs
    expect((await get(`/jobs/${jobId}/outputs/nope.bin`)).status).toBe(404);
    expect((await get("/jobs/999/outputs/")).status).toBe(404);
  });

  it("never serves a file outside the manifest, such as a symlink planted by a job", async () => {
    const out = join(dir, "jobs", `${jobId}-0`, "out");
    symlinkSync("/etc/passwd", join(out, "passwd"));
    const res = await get(`/jobs/${jobId}/outputs/passwd`);
    expect(res.status).not.toBe(200);
    rmSync(join(out, "passwd"));
  });

  it("serves logs only to the job's requester, against a fresh single-use challenge", async () => {
    expect((await get(`/jobs/${jobId}/logs`)).status).toBe(401);
    const ask = async () =>
      (await (await get(`/jobs/${jobId}/logs/challenge`)).json()) as { challenge: string; message: string };

    const c1 = await ask();
    expect(c1.message).toContain(`job: ${jobId}`);
    const bad = await stranger.signMessage({ message: c1.message });
    const denied = await get(`/jobs/${jobId}/logs`, {
      [logsAuthHeaders.challenge]: c1.challenge,
      [logsAuthHeaders.signature]: bad,
    });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error).toMatch(/not from job \d+'s requester/);

    const c2 = await ask();
    const sig = await requester.signMessage({ message: c2.message });
    const headers = { [logsAuthHeaders.challenge]: c2.challenge, [logsAuthHeaders.signature]: sig };
    const ok = await get(`/jobs/${jobId}/logs`, headers);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("epoch 1 loss 0.5\n");
    // The same challenge and signature again: refused (a captured request cannot be replayed).
    expect((await get(`/jobs/${jobId}/logs`, headers)).status).toBe(401);
  });
});
