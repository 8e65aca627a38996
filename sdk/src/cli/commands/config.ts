// arthai config: every setting as resolved, and where it came from.
import type { Command } from "commander";
import type { Setting } from "../config.ts";
import { fields } from "../format.ts";
import { type Cli, command, type Globals } from "../run.ts";

export function configCommands(program: Command, globals: Globals): void {
  program
    .command("config")
    .description(
      "show the settings in use and where each comes from (flag, environment, config file, default)",
    )
    .action(
      command("config", globals, async (cli: Cli) => {
        const c = cli.config();
        const show = (s?: Setting) => (s ? `${s.value}  (${s.source})` : "-");
        const wallet = c.wallet
          ? `${c.wallet.keystore ? `keystore ${c.wallet.keystore}` : "a raw key"}  (${c.wallet.source})`
          : "-";
        cli.print(
          fields([
            ["config file", c.file ?? "none (looked for ./arthai.json and ~/.config/arthai/config.json)"],
            ["rpc", show(c.rpcUrl)],
            ["deployment", show(c.deployment)],
            ["indexer", show(c.indexerUrl)],
            ["wallet", wallet],
            ["image", show(c.image)],
            ["specs", c.specDir ? show(c.specDir) : "inline (data: URIs)"],
            [
              "gossip peers",
              c.bootstrap
                ? `${c.bootstrap.value.join(", ")}  (${c.bootstrap.source})`
                : "the registered nodes' addresses only",
            ],
          ]),
          c,
        );
      }),
    );
}
