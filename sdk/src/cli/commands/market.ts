// The market from the requester's side: `job bids <id>` (the live auction, over gossip) and `price` (what
// comparable jobs recently paid); `train|infer|agent --wait` shows the bids through followBids.
import type { Command } from "commander";
import { jobManagerAbi } from "../../abi/generated.ts";
import { estimatePrice } from "../../actions/jobs/estimatePrice.ts";
import { getJob } from "../../actions/jobs/getJob.ts";
import type { GossipNode } from "../../market/gossip/startGossip.ts";
import { parsePeerAddress } from "../../market/gossip/startGossip.ts";
import { maxClaimPrice } from "../../market/maxClaimPrice.ts";
import { joinBidGossip, type VerifiedBid, watchBids } from "../../market/watchBids.node.ts";
import { type JobSpecKind, jobSpecKinds } from "../../spec/jobSpec.ts";
import type { ReadSession, Token } from "../connect.ts";
import { fields, toJson, when } from "../format.ts";
import { integer, jobId } from "../options.ts";
import { type Cli, command, type Globals, type Options } from "../run.ts";

/** The gossip peers to join through: --peer, else ARTHAI_BOOTSTRAP / the config file; each checked. */
function peers(cli: Cli, flag: unknown): string[] {
  const setting = cli.config().bootstrap;
  const [list, source] =
    flag !== undefined
      ? [
          String(flag)
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean),
          "--peer",
        ]
      : [setting?.value ?? [], setting?.source ?? ""];
  for (const address of list) {
    const parsed = parsePeerAddress(address);
    if (typeof parsed === "string") throw new Error(`${source}: ${JSON.stringify(address)}: ${parsed}`);
  }
  return list;
}

/** Joins the market's gossip now (before a job exists), so a watch started later is in time for its first bids. */
export function joinMarket(cli: Cli, ctx: ReadSession, flag?: unknown): Promise<GossipNode> {
  return joinBidGossip(ctx, { bootstrap: peers(cli, flag) });
}

const bidLine = (b: VerifiedBid, format: Token["format"]) =>
  `bid from ${b.node} at ${format(b.price)} (starts within ${b.etaSeconds}s)`;

/**
 * Shows job `id`'s bids as they arrive, through `node` (the caller's, left running) or an ephemeral one,
 * until the auction ends or `signal` aborts: one progress line per bid (with `json`, each also as a JSON
 * line on stdout). Returns the bids seen.
 */
export async function followBids(
  cli: Cli,
  ctx: ReadSession,
  id: bigint,
  o: { node?: GossipNode; signal?: AbortSignal; prefix?: string; peer?: unknown },
): Promise<VerifiedBid[]> {
  const { format } = await ctx.token();
  const seen: VerifiedBid[] = [];
  for await (const b of watchBids(ctx, {
    jobId: id,
    ...(o.node ? { node: o.node } : { bootstrap: peers(cli, o.peer) }),
    ...(o.signal ? { signal: o.signal } : {}),
  })) {
    seen.push(b);
    // Shaped like the job's events in `job watch --json`: a name and its args.
    if (cli.json)
      console.log(toJson({ name: "Bid", args: { ...b, receivedAt: b.receivedAt.toISOString() } }));
    cli.progress(`${o.prefix ?? ""}${bidLine(b, format)}`);
  }
  return seen;
}

/** Each node's lowest bid, lowest first. */
function lowestPerNode(bids: VerifiedBid[]): VerifiedBid[] {
  const best = new Map<string, VerifiedBid>();
  for (const b of bids) {
    const prior = best.get(b.node.toLowerCase());
    if (!prior || b.price < prior.price) best.set(b.node.toLowerCase(), b);
  }
  return [...best.values()].sort((x, y) => (x.price < y.price ? -1 : x.price > y.price ? 1 : 0));
}

export function marketCommands(program: Command, job: Command, globals: Globals): void {
  job
    .command("bids <id>")
    .description(
      "watch a job's auction live over gossip until its claim window closes (Ctrl-C stops): each bid on stderr (--json: on stdout)",
    )
    .option(
      "--peer <multiaddrs>",
      "gossip peers to join through, comma-separated (default: ARTHAI_BOOTSTRAP, the config file's bootstrap, and the registered nodes)",
    )
    .action(
      command("job bids", globals, async (cli: Cli, idText: string, o: Options) => {
        const id = jobId("job id", idText);
        const ctx = await cli.read();
        const [job, budgetBps] = await Promise.all([
          getJob(ctx, { jobId: id }),
          ctx.publicClient.readContract({
            address: ctx.deployment.contracts.jobManager,
            abi: jobManagerAbi,
            functionName: "verificationBudgetBps",
          }),
        ]);
        const { format } = await ctx.token();
        if (job.state !== "open" && !(job.state === "claimed" && !job.assigned)) {
          throw new Error(`job ${id} is ${job.state}: its auction is over (arthai job status ${id})`);
        }
        // Nodes may ask at most the claim cap: the max price less the verification budget.
        const cap = maxClaimPrice(job.record.maxPrice, budgetBps);
        cli.progress(
          `job ${id}: watching bids (at most ${format(cap)}: max price ${format(job.record.maxPrice)} less the verification budget; bids until ${when(job.times.bidEnd)})`,
        );
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once("SIGINT", stop);
        let bids: VerifiedBid[];
        try {
          bids = await followBids(cli, ctx, id, {
            signal: abort.signal,
            peer: o.peer,
            prefix: `job ${id}: `,
          });
        } finally {
          process.off("SIGINT", stop);
        }
        const best = lowestPerNode(bids);
        const summary = {
          jobId: id,
          bids: bids.length,
          nodes: best.length,
          lowest: best[0] ? { node: best[0].node, price: best[0].price } : null,
          ended: abort.signal.aborted ? "stopped" : "auction over",
        };
        cli.print(
          best[0]
            ? `${bids.length} bid(s) from ${best.length} node(s); lowest ${format(best[0].price)} by ${best[0].node}`
            : "no bids seen",
          summary,
        );
      }),
    );

  program
    .command("price")
    .description(
      "what comparable jobs recently paid: the winning prices of claimed jobs in the latest blocks",
    )
    .option("--kind <kind>", `only jobs of this kind: ${jobSpecKinds.join(", ")}`)
    .option("--gpus <n>", "only jobs asking for this many GPUs")
    .option("--lookback <blocks>", "how many of the latest blocks to look at (default 100000)")
    .action(
      command("price", globals, async (cli: Cli, o: Options) => {
        if (o.kind !== undefined && !jobSpecKinds.includes(o.kind as JobSpecKind)) {
          throw new Error(`--kind ${JSON.stringify(o.kind)}: expected one of ${jobSpecKinds.join(", ")}`);
        }
        const ctx = await cli.read();
        const estimate = await estimatePrice(ctx, {
          ...(o.kind !== undefined ? { kind: o.kind as JobSpecKind } : {}),
          ...(o.gpus !== undefined ? { gpuCount: integer("--gpus", o.gpus, 0, 255) } : {}),
          ...(o.lookback !== undefined ? { lookbackBlocks: integer("--lookback", o.lookback, 1) } : {}),
        });
        const { format } = await ctx.token();
        const blocks = `blocks ${estimate.fromBlock}-${estimate.toBlock}`;
        cli.print(
          estimate.count === 0
            ? `no comparable job was claimed in ${blocks}: no estimate`
            : fields([
                ["jobs", `${estimate.count} (${blocks})`],
                ["median", format(estimate.median!)],
                ["middle half", `${format(estimate.p25!)} - ${format(estimate.p75!)}`],
                ["range", `${format(estimate.min!)} - ${format(estimate.max!)}`],
              ]),
          estimate,
        );
      }),
    );
}
