// Pricing by a rate table: per GPU-hour by GPU model, per CPU-hour for CPU-only jobs, pro-rated to the
// second over the job's max runtime (what the node commits to keep free), never below a floor.
import { defaultResources } from "@arthaain/sdk";
import {
  type PricingInput,
  type PricingQuote,
  type PricingStrategy,
  withinBudget,
} from "./pricingStrategy.ts";

export type TablePricingParameters = {
  /** Rate per GPU per hour, by GPU model name as detected (matched exactly, then ignoring case). */
  perGpuHour: Readonly<Record<string, bigint>>;
  /** Rate per CPU per hour for jobs that ask for no GPU (CPUs from the spec, default 1). */
  cpuHour: bigint;
  /** Least price bid for any job. */
  floor: bigint;
  /** Per-GPU-hour rate for a GPU model the table does not list; without it such jobs are skipped. */
  default?: bigint | undefined;
};

// CPUs may be fractional (0.5); price them in thousandths so the arithmetic stays in bigint.
const MILLI = 1000n;

export function tablePricing(parameters: TablePricingParameters): PricingStrategy {
  const { perGpuHour, cpuHour, floor } = parameters;
  for (const [name, rate] of [
    ["cpuHour", cpuHour],
    ["floor", floor],
    ["default", parameters.default ?? 0n],
    ...Object.entries(perGpuHour),
  ] as const) {
    if (rate < 0n) throw new RangeError(`tablePricing: ${name} is ${rate}; expected a rate >= 0`);
  }
  const lowerCase = new Map(Object.entries(perGpuHour).map(([k, v]) => [k.toLowerCase(), v]));

  async function price(input: PricingInput): Promise<PricingQuote> {
    const seconds = BigInt(Math.max(0, Math.ceil(input.maxRuntimeS)));
    let rate: bigint;
    let units: bigint; // in thousandths of a GPU or CPU
    let what: string;
    if (input.gpuCount > 0) {
      const found =
        perGpuHour[input.gpuModel] ?? lowerCase.get(input.gpuModel.toLowerCase()) ?? parameters.default;
      if (found === undefined) {
        return {
          skip: `no per-GPU-hour rate for GPU model ${JSON.stringify(input.gpuModel)} and no default rate`,
        };
      }
      rate = found;
      units = BigInt(input.gpuCount) * MILLI;
      what = `${rate}/GPU-hour × ${input.gpuCount} GPU × ${seconds} s`;
    } else {
      const cpus = input.spec?.resources.cpus ?? defaultResources.cpus;
      rate = cpuHour;
      units = BigInt(Math.ceil(cpus * 1000));
      what = `${rate}/CPU-hour × ${cpus} CPU × ${seconds} s`;
    }
    // Rounded up: a fraction of a base unit is the node's, never a loss.
    const cost = ceilDiv(rate * units * seconds, 3600n * MILLI);
    if (cost < floor) return withinBudget(floor, input, `the floor; ${what} = ${cost}`);
    return withinBudget(cost, input, what);
  }

  return { name: "table", price };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
