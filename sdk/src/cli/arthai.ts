#!/usr/bin/env node
// arthai: the requester's command line. Register datasets and models, submit train / infer / agent jobs,
// follow them to their result, read lineage. Settings: flags > environment > config file (see config.ts).
import { Command } from "commander";
import { configCommands } from "./commands/config.ts";
import { datasetCommands } from "./commands/dataset.ts";
import { fundsCommands } from "./commands/funds.ts";
import { jobCommands } from "./commands/job.ts";
import { modelCommands } from "./commands/model.ts";
import { nodeCommands } from "./commands/node.ts";
import type { GlobalFlags } from "./config.ts";

const program = new Command("arthai")
  .description("ArthaAIN: decentralized AI compute, from the requester's side")
  .option(
    "-c, --config <file>",
    "config file (ARTHAI_CONFIG; default ./arthai.json, then ~/.config/arthai/config.json)",
  )
  .option("--rpc <url>", "JSON-RPC endpoint (ARTHAI_RPC_URL)")
  .option("--deployment <file>", "deployments/<chainId>.json of the network (ARTHAI_DEPLOYMENT)")
  .option("--indexer <url>", "indexer URL for lists and lineage (ARTHAI_INDEXER_URL)")
  .option("--json", "machine-readable output")
  .allowExcessArguments(false);

const globals = () => program.opts<GlobalFlags>();
datasetCommands(program, globals);
modelCommands(program, globals);
jobCommands(program, globals);
nodeCommands(program, globals);
fundsCommands(program, globals);
configCommands(program, globals);

await program.parseAsync();
