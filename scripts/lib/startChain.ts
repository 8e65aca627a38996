// A Hardhat node in its own process on 127.0.0.1 (the devnet network: a block every second), for the
// devnet and for tests whose parts (node agents) reach the chain over HTTP like they would in production.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(import.meta.dirname, "../..");

export async function rpcAnswers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

export type Chain = { rpcUrl: string; process: ChildProcess; stop(): Promise<void> };

/** Starts `hardhat node --network devnet` on `port` and waits until it answers (up to 60 s). */
export async function startChain(opts: { port: number; logFile: string }): Promise<Chain> {
  const rpcUrl = `http://127.0.0.1:${opts.port}`;
  if (await rpcAnswers(rpcUrl)) throw new Error(`something already answers on ${rpcUrl}; stop it first`);
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const out = openSync(opts.logFile, "w");
  const child = spawn(
    "hardhat",
    ["node", "--network", "devnet", "--hostname", "127.0.0.1", "--port", String(opts.port)],
    { cwd: root, stdio: ["ignore", out, out] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; !(await rpcAnswers(rpcUrl)); i++) {
    if (i > 120 || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`the Hardhat node did not answer on ${rpcUrl} within 60 s; see ${opts.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    rpcUrl,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
