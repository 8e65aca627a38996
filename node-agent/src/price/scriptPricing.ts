// Pricing by the operator's own program: it gets the job as one JSON line on stdin (bigints as decimal
// strings) and answers one line on stdout: the price as a decimal integer in token base units, or
// `skip` (optionally `skip <reason>`) or nothing to not bid. It runs in its own process group so a
// timeout kills it together with anything it started.
import { spawn } from "node:child_process";
import {
  PricingError,
  type PricingInput,
  type PricingQuote,
  type PricingStrategy,
  withinBudget,
} from "./pricingStrategy.ts";

export type ScriptPricingParameters = {
  command: string;
  args?: readonly string[] | undefined;
  /** Time for the whole run, from spawn to exit; default 2000 ms. */
  timeoutMs?: number | undefined;
  /**
   * Environment added to a minimal one (PATH, HOME, LANG, LC_ALL, TZ, TMPDIR). The agent's own environment
   * is not passed on: it may hold the keystore password.
   */
  env?: Readonly<Record<string, string>> | undefined;
  cwd?: string | undefined;
};

const MAX_OUTPUT = 64 * 1024;
const INHERITED = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"];

export function scriptPricing(parameters: ScriptPricingParameters): PricingStrategy {
  const { command } = parameters;
  const args = [...(parameters.args ?? [])];
  const timeoutMs = parameters.timeoutMs ?? 2000;
  const env: Record<string, string> = {};
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  Object.assign(env, parameters.env);
  const label = [command, ...args].join(" ");

  async function price(input: PricingInput): Promise<PricingQuote> {
    const { code, stdout, stderr } = await run(input);
    if (code !== 0) {
      throw new PricingError(
        "exit",
        `pricing script ${label} exited with ${code}${stderr ? `: ${tail(stderr)}` : " (no stderr)"}`,
      );
    }
    const line = stdout.split("\n", 1)[0]!.trim();
    if (line === "") return { skip: "the pricing script answered nothing (no bid)" };
    const skip = /^skip(?:\s+(.*))?$/.exec(line);
    if (skip) return { skip: `the pricing script chose not to bid${skip[1] ? `: ${skip[1]}` : ""}` };
    if (!/^[0-9]{1,40}$/.test(line)) {
      throw new PricingError(
        "bad-output",
        `pricing script ${label} printed ${JSON.stringify(line.slice(0, 100))}; expected a decimal integer ` +
          '(the price in token base units) or "skip"',
      );
    }
    return withinBudget(BigInt(line), input, `from ${label}`);
  }

  function run(input: PricingInput): Promise<{ code: number | string; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        stdio: ["pipe", "pipe", "pipe"],
        env,
        cwd: parameters.cwd,
        detached: true,
      });
      let stdout = "";
      let stderr = "";
      let settled = false;
      const killGroup = () => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // ESRCH: the group is gone already.
        }
      };
      const fail = (error: PricingError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        killGroup();
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new PricingError(
              "timeout",
              `pricing script ${label} gave no answer within ${timeoutMs} ms; killed it`,
            ),
          ),
        timeoutMs,
      );
      child.on("error", (error: NodeJS.ErrnoException) =>
        fail(
          new PricingError(
            "spawn",
            `pricing script ${label} could not be started (${error.code ?? error.message})`,
          ),
        ),
      );
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.length > MAX_OUTPUT)
          fail(new PricingError("bad-output", `pricing script ${label} wrote more than ${MAX_OUTPUT} bytes`));
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr = (stderr + chunk).slice(-MAX_OUTPUT);
      });
      // A script that exits without reading stdin closes the pipe: EPIPE is not an error of ours.
      child.stdin.on("error", () => {});
      child.stdin.end(`${JSON.stringify(input, (_, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);
      // Anything the script left running in the background goes with it.
      child.on("exit", killGroup);
      child.on("close", (code, signal) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ code: code ?? `signal ${signal}`, stdout, stderr });
      });
    });
  }

  return { name: "script", price };
}

function tail(text: string): string {
  const t = text.trim();
  return t.length > 500 ? `...${t.slice(-500)}` : t;
}
