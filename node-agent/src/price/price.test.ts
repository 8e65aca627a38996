import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJobSpec } from "@arthaain/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPricing,
  PricingError,
  type PricingInput,
  pricingFromConfig,
  scriptPricing,
  tablePricing,
  toBaseUnits,
} from "./index.ts";

const gpuJob: PricingInput = {
  jobId: 7n,
  kind: "train",
  gpuCount: 2,
  minVramGb: 16,
  maxRuntimeS: 1800,
  maxPrice: 10n ** 18n,
  gpuModel: "NVIDIA A100-SXM4-80GB",
};
const cpuJob: PricingInput = { ...gpuJob, gpuCount: 0, minVramGb: 0, gpuModel: "" };

describe("tablePricing", () => {
  const table = tablePricing({
    perGpuHour: { "NVIDIA A100-SXM4-80GB": 3_600_000n, "nvidia t4": 360_000n },
    cpuHour: 36_000n,
    floor: 1_000n,
  });

  it("pro-rates per GPU per second", async () => {
    // 3.6e6/h × 2 GPUs × 1800 s / 3600 = 3.6e6
    expect(await table.price(gpuJob)).toEqual({ price: 3_600_000n });
    expect(await table.price({ ...gpuJob, gpuCount: 1, maxRuntimeS: 1 })).toEqual({ price: 1_000n });
    expect(await table.price({ ...gpuJob, gpuCount: 1, maxRuntimeS: 10 })).toEqual({ price: 10_000n });
  });

  it("matches GPU models ignoring case", async () => {
    expect(await table.price({ ...gpuJob, gpuModel: "NVIDIA T4", gpuCount: 1, maxRuntimeS: 3600 })).toEqual({
      price: 360_000n,
    });
  });

  it("rounds up to the next base unit", async () => {
    // 36000/h × 1 CPU × 1 s / 3600 = 10 exactly; with 0.5 CPU and 3 s: 36000 × 0.5 × 3 / 3600 = 15;
    // with 0.3 CPU and 1 s: 3 exactly... use 7 s: 36000 × 0.3 × 7 / 3600 = 21; 0.333 CPU × 1 s: 3.33 → 4.
    const noFloor = tablePricing({ perGpuHour: {}, cpuHour: 36_000n, floor: 0n });
    const spec = (cpus: number) =>
      parseJobSpec(JSON.stringify({ kind: "infer", seed: 1, runtime: {}, resources: { cpus } }));
    expect(await noFloor.price({ ...cpuJob, maxRuntimeS: 3, spec: spec(0.5) })).toEqual({ price: 15n });
    expect(await noFloor.price({ ...cpuJob, maxRuntimeS: 1, spec: spec(0.333) })).toEqual({ price: 4n });
    expect(await noFloor.price({ ...cpuJob, maxRuntimeS: 1 })).toEqual({ price: 10n });
  });

  it("never bids under the floor", async () => {
    expect(await table.price({ ...cpuJob, maxRuntimeS: 10 })).toEqual({ price: 1_000n });
  });

  it("skips, saying why, a GPU model without a rate and a price above the budget", async () => {
    const unknown = await table.price({ ...gpuJob, gpuModel: "NVIDIA H100" });
    expect(unknown).toEqual({ skip: 'no per-GPU-hour rate for GPU model "NVIDIA H100" and no default rate' });
    const withDefault = tablePricing({ perGpuHour: {}, cpuHour: 1n, floor: 0n, default: 7_200n });
    expect(await withDefault.price({ ...gpuJob, gpuModel: "NVIDIA H100" })).toEqual({ price: 7_200n });
    const over = await table.price({ ...gpuJob, maxPrice: 3_599_999n });
    expect("skip" in over && over.skip).toMatch(/our price 3600000 .* is above job 7's claim cap 3599999/);
    expect(await table.price({ ...gpuJob, maxPrice: 3_600_000n })).toEqual({ price: 3_600_000n });
  });

  it("refuses negative rates", () => {
    expect(() => tablePricing({ perGpuHour: { x: -1n }, cpuHour: 1n, floor: 0n })).toThrow(
      "x is -1; expected a rate >= 0",
    );
  });
});

describe("createPricing", () => {
  it("converts decimal amounts with the token's decimals", async () => {
    expect(toBaseUnits("2.5", 6, "x")).toBe(2_500_000n);
    expect(toBaseUnits("3", 0, "x")).toBe(3n);
    expect(toBaseUnits("0.000001", 6, "x")).toBe(1n);
    expect(() => toBaseUnits("0.0000001", 6, "pricing.floor")).toThrow(
      "pricing.floor: 0.0000001 has 7 decimal places; the token has 6",
    );
    expect(() => toBaseUnits("1e3", 6, "pricing.cpuHour")).toThrow(
      'pricing.cpuHour: "1e3" is not a decimal amount',
    );
    const calls: unknown[] = [];
    const client = {
      readContract: (async (args: unknown) => {
        calls.push(args);
        return 6;
      }) as never,
    };
    const token = "0x00000000000000000000000000000000000000aa";
    const table = await createPricing(
      { strategy: "table", perGpuHour: { "NVIDIA A100-SXM4-80GB": "3.6" }, cpuHour: "1", floor: "0.01" },
      client,
      { contracts: { token } },
    );
    expect(calls).toMatchObject([{ address: token, functionName: "decimals" }]);
    expect(table.name).toBe("table");
    expect(await table.price(gpuJob)).toEqual({ price: 3_600_000n });
    expect(pricingFromConfig({ strategy: "script", command: "true" }, 6).name).toBe("script");
  });
});

describe("scriptPricing", () => {
  let dir: string;
  const script = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "artha-price-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("feeds the job as JSON on stdin and bids the price it prints", async () => {
    // Echo the input for inspection, then price at maxPrice/1000 + gpuCount, computed by node from stdin.
    const file = join(dir, "price.mjs");
    writeFileSync(
      file,
      [
        'import { writeFileSync } from "node:fs";',
        'let s = "";',
        'process.stdin.on("data", (d) => (s += d)).on("end", () => {',
        `  writeFileSync(${JSON.stringify(join(dir, "seen.json"))}, s);`,
        "  const job = JSON.parse(s);",
        "  console.log(String(BigInt(job.maxPrice) / 1000n + BigInt(job.gpuCount)));",
        "});",
      ].join("\n"),
    );
    const pricing = scriptPricing({ command: process.execPath, args: [file], timeoutMs: 10_000 });
    const spec = parseJobSpec(JSON.stringify({ kind: "train", seed: 1, runtime: {} }));
    expect(await pricing.price({ ...gpuJob, spec })).toEqual({ price: 10n ** 15n + 2n });
    const seen = JSON.parse(readFileSync(join(dir, "seen.json"), "utf8"));
    expect(seen).toMatchObject({ jobId: "7", maxPrice: "1000000000000000000", gpuCount: 2, kind: "train" });
    expect(seen.spec.resources.memoryMb).toBe(2048);
  });

  it("skips on `skip`, `skip <reason>` and empty output, and above the budget", async () => {
    expect(await scriptPricing({ command: script("skip.sh", "echo skip") }).price(gpuJob)).toEqual({
      skip: "the pricing script chose not to bid",
    });
    expect(
      await scriptPricing({ command: script("skipwhy.sh", "echo 'skip GPUs busy'") }).price(gpuJob),
    ).toEqual({
      skip: "the pricing script chose not to bid: GPUs busy",
    });
    expect(await scriptPricing({ command: script("empty.sh", "exit 0") }).price(gpuJob)).toEqual({
      skip: "the pricing script answered nothing (no bid)",
    });
    const over = await scriptPricing({ command: script("big.sh", "echo 2000000000000000000") }).price(gpuJob);
    expect("skip" in over && over.skip).toMatch(/is above job 7's claim cap/);
  });

  it("passes only a minimal environment plus the configured one", async () => {
    process.env.ARTHA_KEYSTORE_PASSWORD_TEST = "secret";
    try {
      const pricing = scriptPricing({
        command: script(
          "env.sh",
          'if [ -n "$ARTHA_KEYSTORE_PASSWORD_TEST" ]; then echo leaked; else echo "$RATE"; fi',
        ),
        env: { RATE: "42" },
      });
      expect(await pricing.price(gpuJob)).toEqual({ price: 42n });
    } finally {
      delete process.env.ARTHA_KEYSTORE_PASSWORD_TEST;
    }
  });

  it("kills a script that overruns its time, with everything it started", async () => {
    const pids = join(dir, "pids");
    const pricing = scriptPricing({
      command: script("slow.sh", `sleep 30 & echo $! > ${pids}; echo $$ >> ${pids}; wait`),
      timeoutMs: 300,
    });
    const error = await pricing.price(gpuJob).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PricingError);
    expect((error as PricingError).code).toBe("timeout");
    expect((error as PricingError).message).toMatch(/slow\.sh gave no answer within 300 ms; killed it/);
    const [sleepPid, shPid] = readFileSync(pids, "utf8").trim().split("\n").map(Number);
    await expectGone(shPid!);
    await expectGone(sleepPid!);
  });

  it("reports a non-zero exit with its stderr tail", async () => {
    const error = await scriptPricing({ command: script("fail.sh", "echo 'rate table missing' >&2; exit 3") })
      .price(gpuJob)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PricingError);
    expect(error).toMatchObject({ code: "exit" });
    expect((error as Error).message).toMatch(/fail\.sh exited with 3: rate table missing$/);
  });

  it("refuses output that is not a price", async () => {
    for (const out of ["12.5", "-3", "about 5", "0x10"]) {
      const error = await scriptPricing({ command: script("garbage.sh", `echo '${out}'`) })
        .price(gpuJob)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "bad-output" });
      expect((error as Error).message).toContain(
        `printed ${JSON.stringify(out)}; expected a decimal integer`,
      );
    }
  });

  it("reports a script that cannot be started", async () => {
    const error = await scriptPricing({ command: join(dir, "missing.sh") })
      .price(gpuJob)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "spawn" });
    expect((error as Error).message).toContain("could not be started (ENOENT)");
  });
});

/** Waits until `pid` no longer runs (gone, or a zombie nobody reaped yet: it runs nothing either). */
async function expectGone(pid: number) {
  const running = () => {
    if (!existsSync(`/proc/${pid}/stat`)) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  };
  for (let i = 0; i < 50 && running(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(running(), `process ${pid} still runs`).toBe(false);
}
