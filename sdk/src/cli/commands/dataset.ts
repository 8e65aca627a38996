// arthai dataset register|list|get
import type { Command } from "commander";
import { type Dataset, getDataset } from "../../actions/datasets/getDataset.ts";
import { listDatasets } from "../../actions/datasets/listDatasets.ts";
import { registerDataset } from "../../actions/datasets/registerDataset.ts";
import { bytes, fields, table } from "../format.ts";
import { address, content, integer, registryId } from "../options.ts";
import { type Cli, command, type Globals, type Options } from "../run.ts";

/** Bits of a dataset's policyFlags (docs/contracts.md). */
const POLICY = { personal: 1, nonCommercial: 2, exportControlled: 4 } as const;

export function policyNames(flags: number): string {
  const names = Object.entries(POLICY)
    .filter(([, bit]) => flags & bit)
    .map(([name]) => name);
  return names.length ? names.join(", ") : "none";
}

export function datasetFields(d: Dataset): string {
  return fields([
    ["dataset", d.id],
    ["uri", d.uri],
    ["size", bytes(d.size)],
    ["license", d.license || "-"],
    ["policy", policyNames(d.policyFlags)],
    ["owner", d.owner],
    ["content hash", d.contentHash],
  ]);
}

export function datasetCommands(program: Command, globals: Globals): void {
  const dataset = program.command("dataset").description("register, list and inspect datasets");

  dataset
    .command("register <path-or-uri>")
    .description(
      "register a dataset: a local file or directory is hashed here (its URI becomes file://…); a remote URI needs --content-hash and --size",
    )
    .requiredOption("--license <id>", "SPDX id or license URI, e.g. CC-BY-4.0")
    .option("--content-hash <hex>", "the content's tree root (required for a remote URI)")
    .option("--size <bytes>", "the content's size in bytes (required for a remote URI)")
    .option("--personal", "policy flag: holds personal data")
    .option("--non-commercial", "policy flag: no commercial use")
    .option("--export-controlled", "policy flag: export-controlled")
    .action(
      command("dataset register", globals, async (cli: Cli, target: string, o: Options) => {
        const c = await content(target, o);
        const policyFlags = Object.entries(POLICY).reduce((f, [name, bit]) => (o[name] ? f | bit : f), 0);
        const ctx = await cli.write();
        const { datasetId, hash } = await registerDataset(ctx, {
          ...c,
          license: String(o.license),
          policyFlags,
        });
        cli.print(
          `registered dataset ${datasetId}: ${c.uri} (${bytes(c.size)}, ${o.license})\ncontent hash ${c.contentHash}\ntransaction ${hash}`,
          { datasetId, hash, ...c, license: o.license, policyFlags },
        );
      }),
    );

  dataset
    .command("list")
    .description("registered datasets, oldest first (without an indexer: the recent blocks only)")
    .option("--owner <address>", "only this account's")
    .option("--license <id>", "only under this license")
    .option("--limit <n>", "at most this many")
    .option("--offset <n>", "skip this many first")
    .action(
      command("dataset list", globals, async (cli: Cli, o: Options) => {
        const params = {
          ...(o.owner !== undefined ? { owner: address("--owner", o.owner) } : {}),
          ...(o.license !== undefined ? { license: String(o.license) } : {}),
          ...(o.limit !== undefined ? { limit: integer("--limit", o.limit) } : {}),
          ...(o.offset !== undefined ? { offset: integer("--offset", o.offset) } : {}),
        };
        const datasets = await listDatasets(await cli.read(), params);
        cli.print(
          table(
            ["ID", "SIZE", "LICENSE", "OWNER", "URI"],
            datasets.map((d) => [d.id, bytes(d.size), d.license || "-", d.owner, d.uri]),
          ),
          datasets,
        );
      }),
    );

  dataset
    .command("get <id>")
    .description("one dataset")
    .action(
      command("dataset get", globals, async (cli: Cli, id: string) => {
        const d = await getDataset(await cli.read(), { datasetId: registryId("dataset id", id) });
        cli.print(datasetFields(d), d);
      }),
    );
}
