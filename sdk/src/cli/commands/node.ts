// arthai node list|get: the compute nodes a job can run on.
import type { Command } from "commander";
import { getNode } from "../../actions/nodes/getNode.ts";
import { listNodes } from "../../actions/nodes/listNodes.ts";
import type { NodeInfo } from "../../actions/nodes/nodeInfo.ts";
import { fields, table, when } from "../format.ts";
import { address, integer } from "../options.ts";
import { type Cli, command, type Globals, type Options } from "../run.ts";

const gpus = (n: NodeInfo) =>
  n.capabilities.gpuCount
    ? `${n.capabilities.gpuCount} × ${n.capabilities.gpuModel} (${n.capabilities.vramGbPerGpu} GB)`
    : "no GPU";

export function nodeCommands(program: Command, globals: Globals): void {
  const node = program.command("node").description("the compute nodes jobs run on");

  node
    .command("list")
    .description("registered nodes (without an indexer: those registered in the recent blocks)")
    .option("--active", "only active nodes")
    .option("--min-cert <level>", "only nodes certified at this level or higher")
    .option("--gpu <model>", 'only nodes whose GPU model contains this, e.g. "4090"')
    .option("--min-gpus <n>", "only nodes with at least this many GPUs")
    .option("--min-vram <gb>", "only nodes with at least this much VRAM per GPU")
    .option("--limit <n>", "at most this many")
    .option("--offset <n>", "skip this many first")
    .action(
      command("node list", globals, async (cli: Cli, o: Options) => {
        const num = (flag: string, v: unknown) => integer(flag, v);
        const ctx = await cli.read();
        const nodes = await listNodes(ctx, {
          ...(o.active ? { active: true } : {}),
          ...(o.minCert !== undefined ? { minCertLevel: num("--min-cert", o.minCert) } : {}),
          ...(o.gpu !== undefined ? { gpuModel: String(o.gpu) } : {}),
          ...(o.minGpus !== undefined ? { minGpus: num("--min-gpus", o.minGpus) } : {}),
          ...(o.minVram !== undefined ? { minVramGb: num("--min-vram", o.minVram) } : {}),
          ...(o.limit !== undefined ? { limit: num("--limit", o.limit) } : {}),
          ...(o.offset !== undefined ? { offset: num("--offset", o.offset) } : {}),
        });
        const { format } = await ctx.token();
        cli.print(
          table(
            ["ADDRESS", "ACTIVE", "GPUS", "CPU", "RAM", "CERT", "FREE STAKE", "API"],
            nodes.map((n) => [
              n.address,
              n.active ? "yes" : "no",
              gpus(n),
              n.capabilities.cpuCores,
              `${n.capabilities.ramGb} GB`,
              n.certLevel,
              format(n.freeStake),
              n.apiUrl || "-",
            ]),
          ),
          nodes,
        );
      }),
    );

  node
    .command("get <address>")
    .description("one node: stake, bonds, certification, hardware, addresses")
    .action(
      command("node get", globals, async (cli: Cli, operator: string) => {
        const ctx = await cli.read();
        const n = await getNode(ctx, { address: address("node address", operator) });
        const { format } = await ctx.token();
        const c = n.capabilities;
        cli.print(
          fields([
            ["node", n.address],
            ["active", n.active ? "yes" : "no"],
            ["hardware", `${gpus(n)}, ${c.cpuCores} cores, ${c.ramGb} GB RAM`],
            [
              "stake",
              `${format(n.stake)} (locked ${format(n.locked)}, unbonding ${format(n.unbonding)}, free ${format(n.freeStake)})`,
            ],
            ["unbonding ends", n.unbondingEnds ? when(n.unbondingEnds) : undefined],
            ["certification", n.certLevel ? `level ${n.certLevel} until ${when(n.certExpiry)}` : "none"],
            ["peer", n.peerId],
            ["addresses", n.multiaddrs.join(", ") || "-"],
            ["api", n.apiUrl || "-"],
          ]),
          n,
        );
      }),
    );
}
