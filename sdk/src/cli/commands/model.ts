// arthai model register|list|get|lineage|checkpoint|publish
import type { Command } from "commander";
import { addCheckpoint } from "../../actions/models/addCheckpoint.ts";
import type { Checkpoint } from "../../actions/models/getCheckpoint.ts";
import { getModel, type Model } from "../../actions/models/getModel.ts";
import { getModelLineage, type LineageEdge, type LineageNode } from "../../actions/models/getModelLineage.ts";
import { listCheckpoints } from "../../actions/models/listCheckpoints.ts";
import { listModels } from "../../actions/models/listModels.ts";
import { publishModel } from "../../actions/models/publishModel.ts";
import { registerModel } from "../../actions/models/registerModel.ts";
import { fields, short, type TreeNode, table, tree } from "../format.ts";
import { address, content, integer, list, registryId } from "../options.ts";
import { type Cli, command, type Globals, type Options } from "../run.ts";

const ids = (what: string, value: unknown) => list(what, value).map((id) => registryId(what, id));

function checkpointLine(c: Checkpoint): string {
  return c.source === "registry"
    ? `checkpoint ${c.id} at step ${c.step}: ${c.uri}`
    : `checkpoint from job ${c.jobId}: ${short(c.contentHash)}${c.uri ? ` ${c.uri}` : ""}`;
}

function modelLine(m: Model): string {
  return `model ${m.id} "${m.name}"${m.published ? " (published)" : ""}`;
}

/**
 * The lineage graph as a tree from the oldest ancestor down: under each model its training datasets, its
 * checkpoints (with the job that made one, what it trained on and where it ran) and its child models.
 */
export function lineageTree(graph: { nodes: LineageNode[]; edges: LineageEdge[] }, focus: string): TreeNode {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const from = (id: string, kind: LineageEdge["kind"]) =>
    graph.edges.filter((e) => e.from === id && e.kind === kind).map((e) => e.to);
  const to = (id: string, kind: LineageEdge["kind"]) =>
    graph.edges.filter((e) => e.to === id && e.kind === kind).map((e) => e.from);
  const label = (id: string): string => {
    const n = byId.get(id);
    if (!n) return id;
    switch (n.kind) {
      case "model":
        return `${modelLine(n.model)}${id === focus ? "  ◀" : ""}`;
      case "dataset":
        return `trained on dataset ${n.dataset.id}: ${n.dataset.uri}`;
      case "checkpoint":
        return checkpointLine(n.checkpoint);
      case "job":
        return `produced by job ${n.jobId}`;
      case "node":
        return `ran on node ${n.address}`;
    }
  };
  const leaf = (id: string): TreeNode => ({ label: label(id), children: [] });
  const job = (id: string): TreeNode => ({
    label: label(id),
    children: [...from(id, "trainedOn"), ...from(id, "ranOn")].map(leaf),
  });
  const model = (id: string): TreeNode => ({
    label: label(id),
    children: [
      ...from(id, "trainedOn").map(leaf),
      ...to(id, "checkpointOf").map((c) => ({ label: label(c), children: from(c, "producedBy").map(job) })),
      ...to(id, "parent").map(model),
    ],
  });
  const rootModel = graph.nodes.find((n) => n.kind === "model" && from(n.id, "parent").length === 0);
  return model(rootModel?.id ?? focus);
}

export function modelCommands(program: Command, globals: Globals): void {
  const model = program.command("model").description("register, list, inspect and publish models");

  model
    .command("register <path-or-uri>")
    .description(
      "register a model: a local file or directory is hashed here; a remote URI needs --content-hash",
    )
    .requiredOption("--name <name>", "the model's name")
    .requiredOption("--license <id>", "SPDX id or license URI, e.g. MIT")
    .option("--parent <id>", "the model it derives from")
    .option("--data <ids>", "the datasets it was trained on, comma-separated")
    .option("--content-hash <hex>", "the content's tree root (required for a remote URI)")
    .action(
      command("model register", globals, async (cli: Cli, target: string, o: Options) => {
        const parentId = o.parent !== undefined ? registryId("--parent", o.parent) : undefined;
        const datasetIds = o.data !== undefined ? ids("--data", o.data) : [];
        const c = await content(target, { contentHash: o.contentHash, size: "1" });
        const { modelId, hash } = await registerModel(await cli.write(), {
          contentHash: c.contentHash,
          uri: c.uri,
          name: String(o.name),
          license: String(o.license),
          datasetIds,
          ...(parentId !== undefined ? { parentId } : {}),
        });
        cli.print(
          `registered model ${modelId} "${o.name}": ${c.uri}\ncontent hash ${c.contentHash}\ntransaction ${hash}`,
          { modelId, hash, contentHash: c.contentHash, uri: c.uri, parentId: parentId ?? 0n, datasetIds },
        );
      }),
    );

  model
    .command("list")
    .description("registered models, oldest first (without an indexer: the recent blocks only)")
    .option("--owner <address>", "only this account's")
    .option("--parent <id>", "only direct children of this model (0: models without a parent)")
    .option("--data <id>", "only models trained on this dataset")
    .option("--published", "only published models")
    .option("--unpublished", "only unpublished models")
    .option("--name <text>", "only names containing this")
    .option("--limit <n>", "at most this many")
    .option("--offset <n>", "skip this many first")
    .action(
      command("model list", globals, async (cli: Cli, o: Options) => {
        if (o.published && o.unpublished) throw new Error("--published and --unpublished exclude each other");
        const models = await listModels(await cli.read(), {
          ...(o.owner !== undefined ? { owner: address("--owner", o.owner) } : {}),
          ...(o.parent !== undefined
            ? { parentId: BigInt(integer("--parent", o.parent, 0, 2 ** 32 - 1)) }
            : {}),
          ...(o.data !== undefined ? { datasetId: registryId("--data", o.data) } : {}),
          ...(o.published || o.unpublished ? { published: Boolean(o.published) } : {}),
          ...(o.name !== undefined ? { name: String(o.name) } : {}),
          ...(o.limit !== undefined ? { limit: integer("--limit", o.limit) } : {}),
          ...(o.offset !== undefined ? { offset: integer("--offset", o.offset) } : {}),
        });
        cli.print(
          table(
            ["ID", "NAME", "PARENT", "DATASETS", "PUBLISHED", "LICENSE", "OWNER"],
            models.map((m) => [
              m.id,
              m.name,
              m.parentId || "-",
              m.datasetIds.join(",") || "-",
              m.published ? "yes" : "no",
              m.license || "-",
              m.owner,
            ]),
          ),
          models,
        );
      }),
    );

  model
    .command("get <id>")
    .description("one model, with its checkpoints")
    .action(
      command("model get", globals, async (cli: Cli, id: string) => {
        const ctx = await cli.read();
        const m = await getModel(ctx, { modelId: registryId("model id", id) });
        const checkpoints = await listCheckpoints(ctx, { modelId: m.id });
        const human = fields([
          ["model", m.id],
          ["name", m.name],
          ["uri", m.uri],
          ["license", m.license || "-"],
          ["parent", m.parentId || "none"],
          ["datasets", m.datasetIds.join(", ") || "none"],
          ["published", m.published ? "yes" : "no"],
          ["owner", m.owner],
          ["content hash", m.contentHash],
          ["checkpoints", checkpoints.length ? checkpoints.map(checkpointLine).join("\n  ") : "none"],
        ]);
        cli.print(human, { ...m, checkpoints });
      }),
    );

  model
    .command("lineage <id>")
    .description("where a model comes from and what came of it: parents, datasets, checkpoints, jobs, nodes")
    .action(
      command("model lineage", globals, async (cli: Cli, id: string) => {
        const modelId = registryId("model id", id);
        const graph = await getModelLineage(await cli.read(), { modelId });
        cli.print(tree(lineageTree(graph, `model:${modelId}`)), graph);
      }),
    );

  model
    .command("checkpoint <model-id> <path-or-uri>")
    .description("add a checkpoint to one of your models (a local file or directory is hashed here)")
    .requiredOption("--step <n>", "the training step it was taken at")
    .option("--content-hash <hex>", "the content's tree root (required for a remote URI)")
    .action(
      command("model checkpoint", globals, async (cli: Cli, id: string, target: string, o: Options) => {
        const modelId = registryId("model id", id);
        const step = BigInt(integer("--step", o.step));
        const c = await content(target, { contentHash: o.contentHash, size: "1" });
        const { checkpointId, hash } = await addCheckpoint(await cli.write(), {
          modelId,
          contentHash: c.contentHash,
          uri: c.uri,
          step,
        });
        cli.print(
          `added checkpoint ${checkpointId} to model ${modelId} at step ${step}\ntransaction ${hash}`,
          {
            checkpointId,
            modelId,
            step,
            hash,
            contentHash: c.contentHash,
            uri: c.uri,
          },
        );
      }),
    );

  model
    .command("publish <id>")
    .description("publish one of your models so others can build on it (irreversible)")
    .action(
      command("model publish", globals, async (cli: Cli, id: string) => {
        const modelId = registryId("model id", id);
        const { hash } = await publishModel(await cli.write(), { modelId });
        cli.print(`published model ${modelId}\ntransaction ${hash}`, { modelId, hash });
      }),
    );
}
