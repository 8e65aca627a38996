// Model, checkpoint and lineage actions against a real (in-process Hardhat) chain with ArthaAIN deployed,
// including a train job run through its whole life so its output shows up as a checkpoint.
import { getAddress } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { type Artha, deployArtha, JobKind, JobState, sha, TOKEN } from "../../../../scripts/lib/artha.ts";
import type { ArthaWriteContext } from "../../client/context.ts";
import { ArthaTxError } from "../../client/sendTransaction.ts";
import { registerDataset } from "../datasets/registerDataset.ts";
import { addCheckpoint } from "./addCheckpoint.ts";
import { getCheckpoint } from "./getCheckpoint.ts";
import { getModel } from "./getModel.ts";
import { getModelLineage, type LineageEdge } from "./getModelLineage.ts";
import { listCheckpoints } from "./listCheckpoints.ts";
import { listModels } from "./listModels.ts";
import { publishModel } from "./publishModel.ts";
import { type RegisterModelParameters, registerModel } from "./registerModel.ts";

const modelInput = (label: string, o: Partial<RegisterModelParameters> = {}): RegisterModelParameters => ({
  contentHash: sha(label),
  uri: `file:///models/${label}`,
  name: label,
  license: "MIT",
  datasetIds: [],
  ...o,
});

/** The ArthaTxError `p` rejects with (fails the test if it resolves or throws anything else). */
async function txError(p: Promise<unknown>): Promise<ArthaTxError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ArthaTxError) return e;
    throw e;
  }
  throw new Error("expected an ArthaTxError, but the call succeeded");
}

const edgeText = (e: LineageEdge) => `${e.from} -${e.kind}-> ${e.to}`;

describe("model actions", () => {
  let a: Artha;
  let ctx: ArthaWriteContext;
  let otherCtx: ArthaWriteContext;
  beforeAll(async () => {
    a = await deployArtha();
    ctx = a.sdkContext();
    otherCtx = a.sdkContext(a.operators[1]!);
  });

  it("registers models with and without lineage and reads back every field", async () => {
    const { datasetId } = await registerDataset(ctx, {
      contentHash: sha("imagenet"),
      uri: "file:///data/imagenet",
      size: 10n,
      license: "CC-BY-4.0",
    });
    const base = BigInt(a.modelId);
    const { modelId, hash } = await registerModel(ctx, {
      ...modelInput("vit-ft"),
      parentId: base,
      datasetIds: [BigInt(a.datasetId), datasetId],
    });
    expect(modelId).toBe(base + 1n);
    expect((await a.publicClient.getTransactionReceipt({ hash })).status).toBe("success");
    expect(await getModel(ctx, { modelId })).toEqual({
      id: modelId,
      contentHash: sha("vit-ft"),
      owner: getAddress(a.requester.account.address),
      parentId: base,
      published: false,
      uri: "file:///models/vit-ft",
      name: "vit-ft",
      license: "MIT",
      datasetIds: [BigInt(a.datasetId), datasetId],
    });

    const { modelId: orphan } = await registerModel(otherCtx, modelInput("scratch", { parentId: 0n }));
    const m = await getModel(ctx, { modelId: orphan });
    expect([m.id, m.parentId, m.datasetIds, m.owner]).toEqual([
      modelId + 1n,
      0n,
      [],
      getAddress(a.operators[1]!.account.address),
    ]);
  });

  it("refuses bad model input before sending, naming the field or the missing id", async () => {
    const before = await a.publicClient.getBlockNumber();
    const models = await a.modelRegistry.read.modelCount();
    const cases: [Partial<RegisterModelParameters>, string | RegExp][] = [
      [
        { parentId: 42n },
        `registerModel: parentId: model 42 does not exist (the registry has ${models} models)`,
      ],
      [{ datasetIds: [1n, 99n] }, /^registerModel: datasetIds: dataset 99 does not exist/],
      [
        { datasetIds: [1n, 0n] },
        "registerModel: datasetIds[1] must be a bigint from 1 to 4294967295, got 0n",
      ],
      [
        { datasetIds: Array(33).fill(1n) },
        /registerModel: datasetIds must be an array of at most 32 dataset ids/,
      ],
      [{ parentId: 2n ** 32n }, /registerModel: parentId must be a bigint from 1 to 4294967295/],
      [{ name: "" }, 'registerModel: name must be a non-empty string, got ""'],
      [{ uri: "" }, 'registerModel: uri must be a non-empty string, got ""'],
      [{ contentHash: "0xabc" }, /registerModel: contentHash must be 32 bytes of hex/],
    ];
    for (const [override, message] of cases) {
      await expect(registerModel(ctx, modelInput("bad", override))).rejects.toThrow(message);
    }
    expect(await a.publicClient.getBlockNumber()).toBe(before);
    await expect(getModel(ctx, { modelId: 42n })).rejects.toThrow(/^model 42 does not exist/);
    await expect(getModel(ctx, { modelId: -1n })).rejects.toThrow(
      "getModel: modelId must be a bigint from 1",
    );
  });

  it("publishes a model: only its owner, only once", async () => {
    const { modelId } = await registerModel(ctx, modelInput("to-publish"));
    const notOwner = await txError(publishModel(otherCtx, { modelId }));
    expect(notOwner.errorName).toBe("NotModelOwner");
    expect(notOwner.message).toContain(`publishModel refused by the contract: NotModelOwner(${modelId}`);
    expect((await getModel(ctx, { modelId })).published).toBe(false);

    const { hash } = await publishModel(ctx, { modelId });
    expect((await a.publicClient.getTransactionReceipt({ hash })).status).toBe("success");
    expect((await getModel(ctx, { modelId })).published).toBe(true);
    expect((await txError(publishModel(ctx, { modelId }))).errorName).toBe("AlreadyPublished");
    await expect(publishModel(ctx, { modelId: 4242n })).rejects.toThrow(
      /^publishModel: modelId: model 4242 does not exist/,
    );
  });

  it("adds checkpoints to the owner's model and lists them in order; refuses others", async () => {
    const { modelId } = await registerModel(ctx, modelInput("ckpt-model"));
    const first = await addCheckpoint(ctx, {
      modelId,
      contentHash: sha("ck-100"),
      uri: "file:///ck/100",
      step: 100n,
    });
    const second = await addCheckpoint(ctx, {
      modelId,
      contentHash: sha("ck-200"),
      uri: "file:///ck/200",
      step: 200n,
    });
    expect(second.checkpointId).toBe(first.checkpointId + 1n);
    const expected = {
      source: "registry",
      id: first.checkpointId,
      modelId,
      contentHash: sha("ck-100"),
      uri: "file:///ck/100",
      step: 100n,
      jobId: 0n,
    };
    expect(await getCheckpoint(ctx, { checkpointId: first.checkpointId })).toEqual(expected);
    const listed = await listCheckpoints(ctx, { modelId });
    expect(listed).toEqual([expected, await getCheckpoint(ctx, { checkpointId: second.checkpointId })]);

    const refused = await txError(
      addCheckpoint(otherCtx, { modelId, contentHash: sha("x"), uri: "file:///x", step: 1n }),
    );
    expect(refused.errorName).toBe("NotModelOwner");
    await expect(
      addCheckpoint(ctx, { modelId: 777n, contentHash: sha("x"), uri: "file:///x", step: 1n }),
    ).rejects.toThrow(/^addCheckpoint: modelId: model 777 does not exist/);
    await expect(
      addCheckpoint(ctx, { modelId, contentHash: sha("x"), uri: "file:///x", step: -1n }),
    ).rejects.toThrow("addCheckpoint: step must be a bigint from 0 to 18446744073709551615, got -1n");
    await expect(addCheckpoint(ctx, { modelId, contentHash: sha("x"), uri: "", step: 1n })).rejects.toThrow(
      "addCheckpoint: uri must be a non-empty string",
    );
    await expect(getCheckpoint(ctx, { checkpointId: 999n })).rejects.toThrow(
      /^checkpoint 999 does not exist/,
    );
    await expect(listCheckpoints(ctx, { modelId: 4242n })).rejects.toThrow(
      /^listCheckpoints: modelId: model 4242 does not exist/,
    );
  });

  it("lists models by owner, parent, dataset, published state and name, paged", async () => {
    // A fresh owner, so the expected lists are exactly what this test registers.
    const owner = a.operators[4]!;
    const octx = a.sdkContext(owner);
    const { datasetId: dx } = await registerDataset(octx, {
      contentHash: sha("dx"),
      uri: "file:///dx",
      size: 1n,
      license: "MIT",
    });
    const d1 = BigInt(a.datasetId);
    const { modelId: m1 } = await registerModel(octx, modelInput("ResNet-base", { datasetIds: [d1] }));
    const { modelId: m2 } = await registerModel(
      octx,
      modelInput("resnet-finetuned", { parentId: m1, datasetIds: [d1, dx] }),
    );
    const { modelId: m3 } = await registerModel(octx, modelInput("bert", { parentId: m1, datasetIds: [dx] }));
    await publishModel(octx, { modelId: m2 });
    const o = owner.account.address;
    const ids = async (p: Parameters<typeof listModels>[1]) => (await listModels(ctx, p)).map((m) => m.id);

    expect(await ids({ owner: o })).toEqual([m1, m2, m3]);
    expect(await ids({ owner: o, parentId: m1 })).toEqual([m2, m3]);
    expect(await ids({ parentId: m1 })).toEqual([m2, m3]);
    expect(await ids({ owner: o, parentId: 0n })).toEqual([m1]);
    expect(await ids({ owner: o, datasetId: dx })).toEqual([m2, m3]);
    expect(await ids({ datasetId: dx })).toEqual([m2, m3]);
    expect(await ids({ owner: o, published: true })).toEqual([m2]);
    expect(await ids({ owner: o, published: false })).toEqual([m1, m3]);
    expect(await ids({ owner: o, name: "RESNET" })).toEqual([m1, m2]);
    expect(await ids({ owner: o, name: "RESNET", published: false })).toEqual([m1]);
    expect(await ids({ owner: o, offset: 1, limit: 2 })).toEqual([m2, m3]);
    expect(await ids({ owner: o, offset: 3 })).toEqual([]);
    expect(await ids({ owner: o, limit: 0 })).toEqual([]);
    // The list's record, `published` included, is the registry's.
    expect((await listModels(ctx, { owner: o, published: true }))[0]).toEqual(
      await getModel(ctx, { modelId: m2 }),
    );
    const everything = await ids({});
    expect(everything[0]).toBe(BigInt(a.modelId));
    expect(everything).toEqual(expect.arrayContaining([m1, m2, m3]));

    await expect(listModels(ctx, { datasetId: 0n })).rejects.toThrow(
      "listModels: datasetId must be a bigint",
    );
    await expect(listModels(ctx, { limit: 1.5 })).rejects.toThrow(
      "listModels: limit must be a non-negative integer",
    );
    await expect(listModels(ctx, { owner: "0xnope" })).rejects.toThrow("listModels: owner must be a 20-byte");
  });

  it("builds the lineage graph: parent chain, descendants, datasets, checkpoints, the train job and its node", async () => {
    const dataset = async (label: string) =>
      (
        await registerDataset(ctx, {
          contentHash: sha(label),
          uri: `file:///${label}`,
          size: 9n,
          license: "MIT",
        })
      ).datasetId;
    const dA = await dataset("corpus-a");
    const dB = await dataset("corpus-b");
    const model = async (label: string, o: Partial<RegisterModelParameters> = {}) =>
      (await registerModel(ctx, modelInput(label, o))).modelId;
    const P = await model("family-base", { datasetIds: [dA] });
    const C = await model("family-child", { parentId: P, datasetIds: [dA, dB] });
    const G = await model("family-grandchild", { parentId: C });
    const S = await model("family-sibling", { parentId: P });
    const U = await model("unrelated", { datasetIds: [dA] });
    const { checkpointId: K } = await addCheckpoint(ctx, {
      modelId: C,
      contentHash: sha("child-ck"),
      uri: "file:///ck/child",
      step: 500n,
    });

    // Three jobs run to finalization: only the train job on C is a checkpoint of C (the infer job on C is
    // not a checkpoint; the train job on U is U's).
    const node = a.operators[0]!;
    await a.registerNode(node);
    const submit = async (kind: number, modelId: bigint, datasetId: bigint) =>
      (await a.submitJob(a.jobRequest({ kind, modelId: Number(modelId), datasetId: Number(datasetId) })))
        .jobId;
    const train = await submit(JobKind.Train, C, dB);
    const infer = await submit(JobKind.Infer, C, dB);
    const trainU = await submit(JobKind.Train, U, dA);
    const jobs = [train, infer, trainU];
    await a.timeTo(BigInt((await a.record(trainU)).bidEnd));
    for (const j of jobs) await a.claim(node, j, 10n * TOKEN);
    await a.timeTo(await a.claimEnd(trainU));
    for (const j of jobs) await a.submitResult(node, j, sha(`out-${j}`), `file:///out/${j}`);
    await a.time.increase(a.params.challengeWindow);
    for (const j of jobs) await a.finalize(j);
    expect((await a.record(train)).state).toBe(JobState.Finalized);

    const nodeAddress = getAddress(node.account.address);
    const jobCheckpoint = {
      source: "job",
      modelId: C,
      contentHash: sha(`out-${train}`),
      uri: `file:///out/${train}`,
      jobId: train,
      node: nodeAddress,
      datasetId: dB,
    };
    expect(await listCheckpoints(ctx, { modelId: C })).toEqual([
      await getCheckpoint(ctx, { checkpointId: K }),
      jobCheckpoint,
    ]);
    expect((await listCheckpoints(ctx, { modelId: U })).map((c) => c.jobId)).toEqual([trainU]);
    expect(await listCheckpoints(ctx, { modelId: P })).toEqual([]);

    const lineage = await getModelLineage(ctx, { modelId: C });
    expect(lineage.nodes.map((n) => n.id)).toEqual([
      `model:${P}`,
      `model:${C}`,
      `model:${G}`,
      `dataset:${dA}`,
      `dataset:${dB}`,
      `checkpoint:${K}`,
      `checkpoint:job-${train}`,
      `job:${train}`,
      `node:${nodeAddress}`,
    ]);
    expect(lineage.edges.map(edgeText).sort()).toEqual(
      [
        `model:${P} -trainedOn-> dataset:${dA}`,
        `model:${C} -parent-> model:${P}`,
        `model:${C} -trainedOn-> dataset:${dA}`,
        `model:${C} -trainedOn-> dataset:${dB}`,
        `model:${G} -parent-> model:${C}`,
        `checkpoint:${K} -checkpointOf-> model:${C}`,
        `checkpoint:job-${train} -checkpointOf-> model:${C}`,
        `checkpoint:job-${train} -producedBy-> job:${train}`,
        `job:${train} -trainedOn-> dataset:${dB}`,
        `job:${train} -ranOn-> node:${nodeAddress}`,
      ].sort(),
    );
    // Every edge joins two nodes of the graph.
    const ids = new Set(lineage.nodes.map((n) => n.id));
    for (const e of lineage.edges) expect([ids.has(e.from), ids.has(e.to)]).toEqual([true, true]);
    const byId = new Map(lineage.nodes.map((n) => [n.id, n]));
    const jobNode = byId.get(`job:${train}`);
    expect(jobNode?.kind === "job" && [jobNode.job.kind, jobNode.job.state, jobNode.job.claimer]).toEqual([
      JobKind.Train,
      JobState.Finalized,
      nodeAddress,
    ]);
    expect(byId.get(`checkpoint:job-${train}`)).toEqual({
      id: `checkpoint:job-${train}`,
      kind: "checkpoint",
      checkpoint: jobCheckpoint,
    });
    expect(byId.get(`model:${G}`)).toEqual({
      id: `model:${G}`,
      kind: "model",
      model: await getModel(ctx, { modelId: G }),
    });
    expect(byId.get(`dataset:${dB}`)).toMatchObject({
      kind: "dataset",
      dataset: { id: dB, uri: "file:///corpus-b" },
    });

    // From the root, every descendant (the sibling too) but nothing unrelated.
    const fromRoot = await getModelLineage(ctx, { modelId: P });
    const rootIds = fromRoot.nodes.map((n) => n.id);
    expect(rootIds.filter((id) => id.startsWith("model:"))).toEqual([
      `model:${P}`,
      `model:${C}`,
      `model:${G}`,
      `model:${S}`,
    ]);
    expect(rootIds).toContain(`job:${train}`);
    expect(rootIds).not.toContain(`job:${trainU}`);
    expect(rootIds).not.toContain(`job:${infer}`);
    expect(fromRoot.edges.map(edgeText)).toContain(`model:${S} -parent-> model:${P}`);

    // From a leaf, the whole parent chain, and no sibling (not a descendant of the leaf).
    const fromLeaf = await getModelLineage(ctx, { modelId: G });
    expect(fromLeaf.nodes.filter((n) => n.kind === "model").map((n) => n.id)).toEqual([
      `model:${P}`,
      `model:${C}`,
      `model:${G}`,
    ]);
    await expect(getModelLineage(ctx, { modelId: 4242n })).rejects.toThrow(/^model 4242 does not exist/);
  });
});
