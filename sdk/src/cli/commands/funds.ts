// arthai balance|withdraw: the tokens the job manager holds for you (refunds of cancelled jobs and unspent
// budgets) and paying them out.
import type { Command } from "commander";
import { erc20Abi } from "viem";
import { getWithdrawable } from "../../actions/jobs/getWithdrawable.ts";
import { withdrawFunds } from "../../actions/jobs/withdrawFunds.ts";
import { fields } from "../format.ts";
import { address } from "../options.ts";
import { type Cli, command, type Globals, type Options } from "../run.ts";

export function fundsCommands(program: Command, globals: Globals): void {
  program
    .command("balance [address]")
    .description("tokens held in the wallet and withdrawable from the job manager (default: your wallet)")
    .action(
      command("balance", globals, async (cli: Cli, who: string | undefined) => {
        // Someone else's balance needs no key; your own is your wallet's account.
        const account =
          who === undefined ? (await cli.write()).walletClient.account.address : address("address", who);
        const ctx = await cli.read();
        const [wallet, withdrawable] = await Promise.all([
          ctx.publicClient.readContract({
            address: ctx.deployment.contracts.token,
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [account],
          }),
          getWithdrawable(ctx, { account }),
        ]);
        const { format } = await ctx.token();
        cli.print(
          fields([
            ["account", account],
            ["wallet", format(wallet)],
            ["withdrawable", `${format(withdrawable)}${withdrawable > 0n ? " (arthai withdraw)" : ""}`],
          ]),
          { account, wallet, withdrawable },
        );
      }),
    );

  program
    .command("withdraw")
    .description("pay out your refunds from the job manager")
    .option("--to <address>", "where the tokens go (default: your wallet)")
    .action(
      command("withdraw", globals, async (cli: Cli, o: Options) => {
        const to = o.to === undefined ? undefined : address("--to", o.to);
        const ctx = await cli.write();
        const r = await withdrawFunds(ctx, to ? { to } : {});
        const { format } = await ctx.token();
        cli.print(
          r.hash ? `withdrew ${format(r.amount)} to ${r.to}\ntransaction ${r.hash}` : "nothing to withdraw",
          r,
        );
      }),
    );
}
