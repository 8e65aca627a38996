// The SDK's lists with an indexer configured give the same answers as its bounded event scans: a Hardhat
// node with a small history (nodes, datasets, models, a checkpoint, a finalized train job), the indexer
// (`ponder start`, in-memory PGlite) on it, and every list action called both ways.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, JobKind, TOKEN } from "../../../scripts/lib/artha.ts";
import { type Chain, startChain } from "../../../scripts/lib/startChain.ts";
import { type Indexer, startIndexer } from "../../../scripts/lib/startIndexer.ts";
import { listDatasets } from "../actions/datasets/listDatasets.ts";
import { getModelLineage } from "../actions/models/getModelLineage.ts";
import { listCheckpoints } from "../actions/models/listCheckpoints.ts";
import { listModels } from "../actions/models/listModels.ts";
import { listNodes } from "../actions/nodes/listNodes.ts";
import type { ArthaReadContext } from "./context.ts";
import { IndexerError } from "./indexer.ts";

const sha = (s: string) => keccak256(toHex(s));
let dir: string;
let chain: Chain;
let a: Artha;
let indexer: Indexer;
let scan: ArthaReadContext;
let indexed: ArthaReadContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "artha-sdk-indexer-"));
  chain = await startChain({ port: 8572, logFile: join(dir, "chain.log") });
  a = await deployArtha(undefined, { name: "localhost", url: chain.rpcUrl });
  const [o0, o1] = a.operators;
  await a.registerNode(o0!);
  await a.registerNode(o1!, { gpuCount: 4, vramGb: 80 });
  const mr = await a.as(a.modelRegistry, a.requester);
  await a.mined(mr.write.registerDataset([sha("d2"), "file:///data/2.csv", 99n, "CC0-1.0", 1]));
  await a.mined(
    mr.write.registerModel([
      {
        contentHash: sha("m2"),
        uri: "file:///m2",
        name: "child",
        license: "MIT",
        parentId: 1,
        datasetIds: [2],
      },
    ]),
  );
  await a.mined(mr.write.addCheckpoint([2, sha("c1"), "file:///m2/c1", 5n]));
  await a.mined(mr.write.publish([2]));
  // A finalized train job of model 2: a job checkpoint, a job and a node in the lineage.
  const { jobId } = await a.submitJob(a.jobRequest({ kind: JobKind.Train, modelId: 2, datasetId: 2 }));
  await a.timeTo(BigInt((await a.record(jobId)).bidEnd));
  await a.claim(o0!, jobId, 10n * TOKEN);
  await a.timeTo(await a.claimEnd(jobId));
  await a.submitResult(o0!, jobId, sha("w"), "file:///out/7");
  await a.timeTo(BigInt((await a.record(jobId)).resultAt) + BigInt(a.params.challengeWindow));
  await a.finalize(jobId);

  const deploymentFile = join(dir, "deployment.json");
  writeFileSync(deploymentFile, JSON.stringify(a.deployment));
  indexer = await startIndexer({
    rpcUrl: chain.rpcUrl,
    deploymentFile,
    port: 42196,
    logFile: join(dir, "indexer.log"),
    schema: "sdk_test",
  });
  await indexer.caughtUp(await a.publicClient.getBlockNumber({ cacheTime: 0 }));
  scan = a.sdkContext();
  indexed = { ...scan, indexerUrl: indexer.url };
}, 600_000);

afterAll(async () => {
  await indexer?.stop();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
const edgeKey = (e: { from: string; to: string; kind: string }) => `${e.from}>${e.to}:${e.kind}`;

describe("lists through the indexer", () => {
  it("lists datasets and models as the event scan does, with every filter", async () => {
    expect(await listDatasets(indexed)).toEqual(await listDatasets(scan));
    expect((await listDatasets(indexed)).length).toBe(2);
    for (const filter of [
      { license: "cc0-1.0" },
      { owner: a.requester.account.address },
      { offset: 1, limit: 1 },
    ]) {
      expect(await listDatasets(indexed, filter)).toEqual(await listDatasets(scan, filter));
    }
    expect(await listModels(indexed)).toEqual(await listModels(scan));
    for (const filter of [
      { parentId: 1n },
      { parentId: 0n },
      { datasetId: 2n },
      { published: true },
      { name: "CHI" },
    ]) {
      const [viaIndexer, viaScan] = [await listModels(indexed, filter), await listModels(scan, filter)];
      expect(viaIndexer).toEqual(viaScan);
      expect(viaIndexer.length).toBe(1);
    }
  });

  it("lists checkpoints (registry and job outputs) and nodes as the scan does", async () => {
    const checkpoints = await listCheckpoints(indexed, { modelId: 2n });
    expect(checkpoints.map((c) => c.source)).toEqual(["registry", "job"]);
    expect(checkpoints).toEqual(await listCheckpoints(scan, { modelId: 2n }));
    expect(await listNodes(indexed)).toEqual(await listNodes(scan));
    expect((await listNodes(indexed, { minGpus: 2 })).map((n) => n.address)).toEqual(
      (await listNodes(scan, { minGpus: 2 })).map((n) => n.address),
    );
  });

  it("draws the same lineage graph", async () => {
    const [viaIndexer, viaScan] = [
      await getModelLineage(indexed, { modelId: 1n }),
      await getModelLineage(scan, { modelId: 1n }),
    ];
    expect(byId(viaIndexer.nodes)).toEqual(byId(viaScan.nodes));
    expect(viaIndexer.edges.map(edgeKey).sort()).toEqual(viaScan.edges.map(edgeKey).sort());
    expect(viaIndexer.nodes.map((n) => n.kind).sort()).toEqual(
      ["checkpoint", "checkpoint", "dataset", "dataset", "job", "model", "model", "node"].sort(),
    );
  });

  it("names the indexer it cannot reach", async () => {
    const error = await listDatasets({ ...scan, indexerUrl: "http://127.0.0.1:9" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexerError);
    expect((error as Error).message).toMatch(/^cannot reach the indexer at http:\/\/127\.0\.0\.1:9: /);
  });
});
