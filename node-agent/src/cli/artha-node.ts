#!/usr/bin/env node
// artha-node: the operator's command line. `init` → `register` → `start`; `status`, `stake`, `unstake`,
// `withdraw` for the money; `run <spec>` tries a job locally with no chain at all.
import { Command, Option } from "commander";
import { runCommand } from "./commands.ts";

const program = new Command("artha-node")
  .description("ArthaAIN node agent: earn by running AI jobs on this host's GPUs")
  .option(
    "-c, --config <file>",
    "config file (ARTHA_NODE_CONFIG)",
    process.env.ARTHA_NODE_CONFIG ?? "artha-node.json",
  )
  .option("--json", "machine-readable output");

program
  .command("init")
  .description("write a config file and an encrypted keystore (password from ARTHA_KEYSTORE_PASSWORD)")
  .requiredOption("--deployment <file>", "deployments/<chainId>.json of the network to join")
  .option("--rpc <url>", "JSON-RPC endpoint", "http://127.0.0.1:8545")
  .option("--data-dir <dir>", "where the agent keeps its state", ".artha-node")
  .option("--p2p-port <port>", "TCP port for gossip (registered on-chain)", "4001")
  .option("--api-port <port>", "HTTP port of the agent's API (registered on-chain)", "7070")
  .option("--host <ip>", "address to listen on and announce", "127.0.0.1")
  .option("--import-key", "encrypt the key in ARTHA_PRIVATE_KEY instead of generating one")
  .action((o) => runCommand("init", program.opts(), o));

program
  .command("register")
  .description("stake and register this node with the capabilities detected on this host")
  .requiredOption("--stake <amount>", "stake in token units")
  .action((o) => runCommand("register", program.opts(), o));

program
  .command("start")
  .description("run the agent until Ctrl-C: watch, bid, claim, run, submit, settle")
  .action((o) => runCommand("start", program.opts(), o));

program
  .command("status")
  .description("the node's stake, balance and the jobs it worked on")
  .action((o) => runCommand("status", program.opts(), o));

program
  .command("stake <amount>")
  .description("add stake (token units)")
  .action((amount) => runCommand("stake", program.opts(), { amount }));

program
  .command("unstake <amount>")
  .description("start unbonding stake (token units); withdraw it with `withdraw --stake` after the delay")
  .action((amount) => runCommand("unstake", program.opts(), { amount }));

program
  .command("withdraw")
  .description("withdraw earnings from the job manager (or unbonded stake with --stake)")
  .option("--stake", "withdraw unbonded stake from the node registry instead")
  .option("--to <address>", "payout address (default: the operator address)")
  .action((o) => runCommand("withdraw", program.opts(), o));

program
  .command("run <spec>")
  .description("run a job spec locally in the sandbox, with no chain: prints its output root")
  .requiredOption("--image <ref>", "image id (sha256:…) or name")
  .option("--model <dir>", "model input directory")
  .option("--data <dir>", "dataset input directory")
  .option("--out <dir>", "output directory (default: a new temporary one)")
  .addOption(new Option("--timeout <seconds>", "kill the job after this long").default("600"))
  .action((spec, o) => runCommand("run", program.opts(), { spec, ...o }));

await program.parseAsync();
