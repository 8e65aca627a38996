// The strategy an operator configured. Config amounts are decimal token amounts ("2.5"), converted to
// base units with the payment token's decimals, read once from the token contract.
import { type Address, erc20Abi, type PublicClient } from "viem";
import type { PricingStrategy } from "./pricingStrategy.ts";
import { scriptPricing } from "./scriptPricing.ts";
import { tablePricing } from "./tablePricing.ts";

export type PricingConfig =
  | {
      strategy: "table";
      /** Token amount per GPU-hour, by GPU model. */
      perGpuHour: Readonly<Record<string, string>>;
      cpuHour: string;
      floor: string;
      /** Per-GPU-hour amount for models the table does not list. */
      default?: string | undefined;
    }
  | {
      strategy: "script";
      command: string;
      args?: readonly string[] | undefined;
      timeoutMs?: number | undefined;
      env?: Readonly<Record<string, string>> | undefined;
    };

/** Builds the configured strategy, reading the payment token's decimals from the chain. */
export async function createPricing(
  config: PricingConfig,
  client: Pick<PublicClient, "readContract">,
  deployment: { contracts: { token: Address } },
): Promise<PricingStrategy> {
  if (config.strategy === "script") return pricingFromConfig(config, 0);
  const decimals = await client.readContract({
    address: deployment.contracts.token,
    abi: erc20Abi,
    functionName: "decimals",
  });
  return pricingFromConfig(config, decimals);
}

/** The strategy for `config`, amounts converted with `decimals`. Throws naming the amount that is wrong. */
export function pricingFromConfig(config: PricingConfig, decimals: number): PricingStrategy {
  if (config.strategy === "script") {
    return scriptPricing({
      command: config.command,
      args: config.args,
      timeoutMs: config.timeoutMs,
      env: config.env,
    });
  }
  return tablePricing({
    perGpuHour: Object.fromEntries(
      Object.entries(config.perGpuHour).map(([model, amount]) => [
        model,
        toBaseUnits(amount, decimals, `pricing.perGpuHour.${model}`),
      ]),
    ),
    cpuHour: toBaseUnits(config.cpuHour, decimals, "pricing.cpuHour"),
    floor: toBaseUnits(config.floor, decimals, "pricing.floor"),
    ...(config.default === undefined
      ? {}
      : { default: toBaseUnits(config.default, decimals, "pricing.default") }),
  });
}

/** "2.5" with 6 decimals → 2500000n; refuses more decimal places than the token has (no silent rounding). */
export function toBaseUnits(amount: string, decimals: number, where: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m)
    throw new Error(
      `${where}: ${JSON.stringify(amount)} is not a decimal amount; expected digits like "2.5"`,
    );
  const fraction = m[2] ?? "";
  if (fraction.length > decimals) {
    throw new Error(`${where}: ${amount} has ${fraction.length} decimal places; the token has ${decimals}`);
  }
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
}
