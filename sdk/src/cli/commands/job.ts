// arthai train|infer|agent (submit a job) and job status|watch|logs|cancel|artifacts|challenge (follow it,
// dispute its result), plus the original design's job-status and job-logs.
import type { Command } from "commander";
import { zeroAddress, zeroHash } from "viem";
import { type Dataset, getDataset } from "../../actions/datasets/getDataset.ts";
import { cancelJob } from "../../actions/jobs/cancelJob.ts";
import { getJob, type Job } from "../../actions/jobs/getJob.ts";
import { getJobArtifacts } from "../../actions/jobs/getJobArtifacts.ts";
import { getJobLogs } from "../../actions/jobs/getJobLogs.ts";
import { JobRequestError } from "../../actions/jobs/jobRequestError.ts";
import { readJobLimits } from "../../actions/jobs/readJobLimits.ts";
import { saveJobArtifacts } from "../../actions/jobs/saveJobArtifacts.node.ts";
import { submitJob } from "../../actions/jobs/submitJob.ts";
import { type JobEvent, watchJob } from "../../actions/jobs/watchJob.ts";
import { getModel, type Model } from "../../actions/models/getModel.ts";
import { challengeResult } from "../../actions/verification/challengeResult.ts";
import { ArthaTxError } from "../../client/sendTransaction.ts";
import type { GossipNode } from "../../market/gossip/startGossip.ts";
import type { JobSpecKind } from "../../spec/jobSpec.ts";
import type { SpecStore } from "../../spec/store/specStore.ts";
import { parseTokenAmount } from "../../units/tokenAmount.ts";
import type { ReadSession, Token } from "../connect.ts";
import { bytes, duration, fields, table, toJson, when } from "../format.ts";
import { imageDigest, integer, jobId, list, registryId } from "../options.ts";
import { type Cli, command, type Globals, type Options } from "../run.ts";
import { buildSpec, type SpecFlags } from "../spec.ts";
import { followBids, joinMarket, marketCommands } from "./market.ts";

/** The flag behind each field of a job request, so a refusal names what the person typed. */
const flagOf: Record<string, string> = {
  modelId: "--model",
  datasetId: "--data",
  imageDigest: "--image",
  maxPrice: "--budget",
  bidWindow: "--bid-window",
  maxRuntime: "--max-runtime",
  "requirements.gpuCount": "--gpus",
  "requirements.minVramGb": "--min-vram",
  "requirements.minCertLevel": "--min-cert",
  dependsOn: "--depends-on",
  approval: "--approval",
};

function marketOptions(c: Command): Command {
  return c
    .requiredOption("--budget <tokens>", "the most you pay, in tokens (escrowed at submission)")
    .option("--image <digest>", "runtime image digest, sha256:… (default: the config's image)")
    .option("--bid-window <seconds>", "how long nodes bid before claims open (default 60)")
    .option("--max-runtime <seconds>", "how long the assigned node has to deliver (default 3600)")
    .option("--gpus <n>", "GPUs a node must have (default: the spec's resources.gpus)")
    .option("--min-vram <gb>", "VRAM per GPU a node must have")
    .option("--min-cert <level>", "certification level a node must have")
    .option("--depends-on <ids>", "jobs that must be finalized first, comma-separated")
    .option(
      "--approval <how>",
      "escrow authorisation when the allowance is short: auto, permit or approve",
      "auto",
    )
    .option("--dry-run", "print the spec and request; send nothing")
    .option("--wait", "follow the job until it ends, with progress and the bids seen on stderr")
    .option("--peer <multiaddrs>", "with --wait: gossip peers to see bids through, comma-separated");
}

function specOptions(c: Command, kind: JobSpecKind): Command {
  if (kind === "agent") return c.requiredOption("--spec <file>", "the agent spec (JSON)");
  c.option("--spec <file>", "base spec (JSON); default: the torch template, filled from the inputs' files");
  c.option("--data-file <file>", "the file in the dataset to read (spec.runtime.data.file)")
    .option("--features <columns>", "feature columns, comma-separated (spec.runtime.data.features)")
    .option("--label <column>", "label column (spec.runtime.data.label)")
    .option("--seed <n>", "seed of every random generator (spec.seed)")
    .option("--batch-size <n>", "hyperparameters.batchSize");
  if (kind === "train") {
    c.option("--epochs <n>", "hyperparameters.epochs").option("--lr <rate>", "hyperparameters.learningRate");
  }
  return c;
}

/** Submits a job of `kind` from the command's options; with --wait, follows it to the end. */
async function submit(cli: Cli, kind: JobSpecKind, o: Options): Promise<void> {
  const config = cli.config();
  const image = (o.image as string | undefined) ?? config.image?.value;
  if (image === undefined) {
    throw new Error(
      'no runtime image: pass --image sha256:…, set ARTHAI_IMAGE, or write "image" in the config file',
    );
  }
  const digest = imageDigest(o.image !== undefined ? "--image" : `image (${config.image!.source})`, image);
  const modelId = o.model !== undefined ? registryId("--model", o.model) : 0n;
  const datasetId = o.data !== undefined ? registryId("--data", o.data) : 0n;
  const int = (flag: string, v: unknown, max?: number) =>
    v === undefined ? undefined : integer(flag, v, 0, max);
  if (!["auto", "permit", "approve"].includes(String(o.approval))) {
    throw new Error(`--approval ${JSON.stringify(o.approval)}: expected auto, permit or approve`);
  }
  const request = {
    modelId,
    datasetId,
    imageDigest: digest,
    bidWindow: int("--bid-window", o.bidWindow),
    maxRuntime: int("--max-runtime", o.maxRuntime),
    requirements: {
      gpuCount: int("--gpus", o.gpus, 255),
      minVramGb: int("--min-vram", o.minVram, 65_535),
      minCertLevel: int("--min-cert", o.minCert, 255),
    },
    dependsOn:
      o.dependsOn === undefined
        ? []
        : list("--depends-on", o.dependsOn).map((id) => jobId("--depends-on", id)),
    approval: o.approval as "auto" | "permit" | "approve",
    specStore: (config.specDir
      ? { kind: "directory", dir: config.specDir.value }
      : { kind: "inline" }) as SpecStore,
  };

  // A dry run needs no wallet.
  const ctx = o.dryRun ? await cli.read() : await cli.write();
  const token = await ctx.token();
  const maxPrice = parseTokenAmount("--budget", o.budget, token.decimals);
  const [model, dataset] = await Promise.all([
    modelId ? getModel(ctx, { modelId }) : undefined,
    datasetId ? getDataset(ctx, { datasetId }) : undefined,
  ]);
  const spec = buildSpec(kind, o as SpecFlags, {
    ...(model ? { model } : {}),
    ...(dataset ? { dataset } : {}),
  });
  if (o.dryRun) {
    const text = `${JSON.stringify(spec, null, 2)}\nwould escrow ${token.format(maxPrice)}; nothing sent`;
    cli.print(text, { ...request, spec, maxPrice });
    return;
  }
  cli.progress(`submitting ${kind} job: ${describeInputs(model, dataset)}, budget ${token.format(maxPrice)}`);
  // Joined before the job exists, so the watch is subscribed in time for the first bids.
  const market = o.wait ? joinMarket(cli, ctx, o.peer) : undefined;
  market?.catch(() => undefined); // handled in follow; here only not to be an unhandled rejection meanwhile
  let submitted: Awaited<ReturnType<typeof submitJob>>;
  try {
    submitted = await submitJob(await cli.write(), { ...request, spec, maxPrice });
  } catch (error) {
    await market?.then((node) => node.stop()).catch(() => undefined);
    if (error instanceof JobRequestError && flagOf[error.field]) {
      throw new Error(`${flagOf[error.field]}: ${error.message.slice(error.field.length + 2)}`);
    }
    throw error;
  }
  const { jobId: id, hash, specUri, specHash, approval } = submitted;
  cli.progress(`job ${id}: submitted in transaction ${hash} (escrow authorised by ${approval.method})`);
  if (!o.wait) {
    const bids = when(submitted.record.bidEnd);
    cli.print(`job ${id} submitted: open for bids until ${bids}\nfollow it with: arthai job watch ${id}`, {
      jobId: id,
      hash,
      state: "open",
      specUri,
      specHash,
      maxPrice,
      approval: approval.method,
    });
    return;
  }
  await follow(cli, ctx, id, market);
}

const describeInputs = (model?: Model, dataset?: Dataset) =>
  [model && `model ${model.id} "${model.name}"`, dataset && `dataset ${dataset.id}`]
    .filter(Boolean)
    .join(", ") || "no inputs";

/** One progress line per event of a job, in the words of its life: open, claimed, running, result, end. */
function describeEvent(e: JobEvent, format: Token["format"]): string {
  const a = e.args as Record<string, unknown>;
  const job = a.job as Job["record"] | undefined;
  switch (e.name) {
    case "JobSubmitted":
      return `auction open: bids until ${when(job!.bidEnd)}`;
    case "JobClaimed":
      return `claimed by ${a.node} at ${format(job!.price)}`;
    case "JobReopened":
      return `reopened for bids (attempt ${job!.attempts}) until ${when(job!.bidEnd)}`;
    case "JobNodeSlashed":
      return `node ${a.node} missed its deadline; its bond ${format(a.bond as bigint)} was slashed`;
    case "ResultSubmitted":
      return `result: output root ${job!.outputRoot}${a.outputUri ? ` at ${a.outputUri}` : ""}`;
    case "JobFinalized":
      return `finalized: node paid ${format(job!.price)}, refund ${format(a.refund as bigint)}`;
    case "JobCancelled":
      return `cancelled: refund ${format(a.refund as bigint)}, node fee ${format(a.nodeFee as bigint)}`;
    case "JobExpired":
      return `expired without a result: refund ${format(a.refund as bigint)}`;
    case "JobDisputed":
      return a.challenger === zeroAddress
        ? "result drawn for a random audit: verifiers re-run the job"
        : `result disputed by ${a.challenger}`;
    case "JobVerified":
      return a.upheld
        ? "verifiers upheld the result"
        : `verifiers rejected the result: the node's bond ${format(a.slashed as bigint)} was slashed`;
    case "JobRefunded":
      return `dispute unresolved: refund ${format(a.refund as bigint)}`;
    default:
      return e.name;
  }
}

/**
 * Follows a job to its end: progress on stderr (with --json, each event as a JSON line on stdout), then its
 * final status (with --json, the last line). Exit code 1 unless it was finalized. Ctrl-C stops following, not the job.
 */
async function follow(
  cli: Cli,
  ctx: ReadSession,
  id: bigint,
  market: Promise<GossipNode> = joinMarket(cli, ctx),
): Promise<void> {
  const { format } = await ctx.token();
  const { claimWindow } = await readJobLimits(ctx);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  // The live auction beside the chain's events; without gossip the events alone still tell the story.
  const bidsDone = new AbortController();
  const bids = market
    .then((node) =>
      followBids(cli, ctx, id, { node, signal: bidsDone.signal, prefix: `job ${id}: ` }).finally(() =>
        node.stop(),
      ),
    )
    .catch((error: Error) =>
      cli.progress(`job ${id}: live bids unavailable (${error.message.split("\n")[0]})`),
    );
  // A claim becomes the assignment when the claim window closes; no event marks it, so a timer does.
  let running: ReturnType<typeof setTimeout> | undefined;
  try {
    for await (const e of watchJob(ctx, { jobId: id, signal: abort.signal })) {
      clearTimeout(running);
      if (cli.json) console.log(toJson(e));
      cli.progress(`job ${id}: ${describeEvent(e, format)}`);
      const job = "job" in e.args ? e.args.job : undefined;
      if (e.name === "JobClaimed" && job) {
        const claimEnd = job.bidEnd + claimWindow;
        const ms = Math.max(0, claimEnd * 1000 - Date.now());
        running = setTimeout(
          () =>
            cli.progress(
              `job ${id}: running on ${job.claimer}, result due by ${when(claimEnd + job.maxRuntime)}`,
            ),
          ms,
        );
      }
    }
  } finally {
    clearTimeout(running);
    process.off("SIGINT", stop);
    bidsDone.abort();
    await bids;
  }
  const job = await getJob(ctx, { jobId: id });
  if (abort.signal.aborted) cli.progress(`stopped following job ${id}; it goes on`);
  cli.print(statusText(job, format), job);
  if (!abort.signal.aborted && job.state !== "finalized") process.exitCode = 1;
}

function statusText(job: Job, format: Token["format"]): string {
  const r = job.record;
  const t = job.times;
  const claimed = r.claimer !== zeroAddress;
  const state = job.state === "claimed" && job.assigned ? "claimed (assigned, running)" : job.state;
  return fields([
    [`job ${job.jobId}`, `${state} (${job.kind})`],
    ["model", r.modelId || "none"],
    ["dataset", r.datasetId || "none"],
    ["budget", format(r.maxPrice)],
    ["requester", r.requester],
    ["bids until", job.state === "open" ? when(t.bidEnd, Number(t.now)) : undefined],
    [
      "claims until",
      job.state === "open" || (job.state === "claimed" && !job.assigned)
        ? when(t.claimEnd, Number(t.now))
        : undefined,
    ],
    ["node", claimed ? `${r.claimer} at ${format(r.price)}` : undefined],
    ["deadline", job.state === "claimed" ? when(t.deadline, Number(t.now)) : undefined],
    ["max runtime", duration(r.maxRuntime)],
    ["output root", r.outputRoot !== zeroHash ? r.outputRoot : undefined],
    [
      "finalizable",
      t.finalizableAt !== undefined && job.state === "resultSubmitted"
        ? when(t.finalizableAt, Number(t.now))
        : undefined,
    ],
    ["attempts", r.attempts > 1 ? r.attempts : undefined],
  ]);
}

export function jobCommands(program: Command, globals: Globals): void {
  for (const kind of ["train", "infer", "agent"] as const) {
    const c = program.command(kind).description(
      {
        train: "train a model on a dataset: the spec from --spec or the torch template, flags on top",
        infer: "run a model over data: the spec from --spec or the torch template",
        agent: "run an agent job from --spec",
      }[kind],
    );
    if (kind === "agent") c.option("--model <id>", "model the agent uses, if any");
    else c.requiredOption("--model <id>", "registered model id");
    if (kind === "train") c.requiredOption("--data <id>", "registered dataset id");
    else c.option("--data <id>", "registered dataset id");
    specOptions(c, kind);
    marketOptions(c);
    c.action(command(kind, globals, (cli: Cli, o: Options) => submit(cli, kind, o)));
  }

  const status = command("job status", globals, async (cli: Cli, id: string) => {
    const ctx = await cli.read();
    const job = await getJob(ctx, { jobId: jobId("job id", id) });
    cli.print(statusText(job, (await ctx.token()).format), job);
  });
  const logs = command("job logs", globals, async (cli: Cli, id: string) => {
    const text = await getJobLogs(await cli.write(), { jobId: jobId("job id", id) });
    if (cli.json) cli.print("", { jobId: id, logs: text });
    else process.stdout.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);
  });

  const job = program.command("job").description("follow, inspect, cancel and challenge jobs");
  job.command("status <id>").description("a job's state, node, price and times").action(status);
  job
    .command("watch <id>")
    .description(
      "follow a job until it ends: progress and live bids on stderr (--json: one event per line on stdout)",
    )
    .action(
      command("job watch", globals, async (cli: Cli, id: string) =>
        follow(cli, await cli.read(), jobId("job id", id)),
      ),
    );
  job
    .command("logs <id>")
    .description("a job's logs, from the node that ran it (signed by your wallet)")
    .action(logs);
  job
    .command("cancel <id>")
    .description("cancel your job: full refund before assignment, the node keeps its fee after")
    .action(
      command("job cancel", globals, async (cli: Cli, id: string) => {
        const ctx = await cli.write();
        const r = await cancelJob(ctx, { jobId: jobId("job id", id) });
        const { format } = await ctx.token();
        const refund =
          r.refunded !== undefined
            ? `: ${format(r.refunded)} refunded to your balance on the job manager`
            : "";
        const fee = r.nodeFee ? ` (the node kept ${format(r.nodeFee)})` : "";
        cli.print(`cancelled job ${id}${refund}${fee}\ntransaction ${r.hash}`, {
          jobId: id,
          state: "cancelled",
          ...r,
        });
      }),
    );
  job
    .command("artifacts <id>")
    .description("a job's outputs, verified against its output root: listed, or saved with --out")
    .option("--out <dir>", "save them under this directory")
    .action(
      command("job artifacts", globals, async (cli: Cli, id: string, o: Options) => {
        const ctx = await cli.read();
        const jobIdValue = jobId("job id", id);
        const saved = o.out
          ? await saveJobArtifacts(ctx, { jobId: jobIdValue, dir: String(o.out) })
          : undefined;
        const fetched = saved ? undefined : await getJobArtifacts(ctx, { jobId: jobIdValue });
        const outputRoot = saved?.outputRoot ?? fetched!.outputRoot;
        const rows = saved?.files ?? fetched!.files.map((f) => ({ path: f.path, size: f.bytes.length }));
        const where = saved ? `saved under ${saved.dir}\n` : "";
        cli.print(
          `${where}output root ${outputRoot}\n${table(
            ["PATH", "SIZE"],
            rows.map((f) => [f.path, bytes(f.size)]),
          )}`,
          {
            jobId: id,
            outputRoot,
            ...(saved ? { dir: saved.dir } : {}),
            files: rows,
          },
        );
      }),
    );

  job
    .command("challenge <id>")
    .description(
      "dispute a job's result during its challenge window, posting the challenge bond: verifiers re-run the job",
    )
    .action(
      command("job challenge", globals, async (cli: Cli, id: string) => {
        const jobIdValue = jobId("job id", id);
        const ctx = await cli.write();
        const r = await challengeResult(ctx, { jobId: jobIdValue }).catch(async (error: unknown) => {
          // WrongState's numbers do not say what the job is now; its state by name does.
          if (error instanceof ArthaTxError && error.errorName === "WrongState") {
            const { state } = await getJob(ctx, { jobId: jobIdValue });
            throw new Error(
              `${error.message} (job ${id} is ${state}: only a submitted result can be challenged)`,
            );
          }
          throw error;
        });
        const { format } = await ctx.token();
        cli.print(
          [
            `challenged job ${id}: bond ${format(r.bond)} paid; verifiers drawn from block ${r.seedBlock}'s seed re-run it`,
            "result rejected: the bond comes back with a share of the node's slashed bond; upheld: it goes to the node",
            `no verifier majority by ${when(r.timeoutAt)}: the requester is refunded and the bond comes back`,
            `transaction ${r.hash}`,
          ].join("\n"),
          { jobId: id, state: "disputed", ...r },
        );
      }),
    );

  marketCommands(program, job, globals);

  // The original design's spelling, kept working.
  program.command("job-status <id>").description("same as `job status`").action(status);
  program.command("job-logs <id>").description("same as `job logs`").action(logs);
}
