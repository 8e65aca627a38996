// The artha-node binary run as an operator runs it: a child process per command against a Hardhat node,
// checking what it prints, what it writes and its exit codes, `--json` included.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalSpecJson } from "@arthaain/sdk";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentNetwork,
  devKey,
  startAgentNetwork,
  trainSpec,
} from "../../../scripts/lib/agentNetwork.ts";
import { TOKEN } from "../../../scripts/lib/artha.ts";

const BIN = join(import.meta.dirname, "artha-node.ts");
const PASSWORD = "correct horse battery";
// Hardhat account 9: no tokens, not registered by anything else in this file.
const KEY = devKey(9);
const ADDRESS = privateKeyToAccount(KEY).address;

let net: AgentNetwork;
let dir: string;
let config: string;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `artha-node ...args` with `env` on top of a clean environment (no inherited ARTHA_ variables). */
function artha(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ARTHA_")));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...base, ...env }, cwd: dir, timeout: 300_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
const withKey = { ARTHA_KEYSTORE_PASSWORD: PASSWORD };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "artha-cli-"));
  config = join(dir, "node.json");
  net = await startAgentNetwork({ dir, port: 8563 });
});

afterAll(async () => {
  await net?.stop();
  if (process.env.ARTHA_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

describe("artha-node init", () => {
  it("refuses without a keystore password and writes nothing", async () => {
    const r = await artha(["-c", config, "init", "--deployment", net.deploymentFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ARTHA_KEYSTORE_PASSWORD");
    expect(existsSync(config)).toBe(false);
  });

  it("refuses a bad port before writing anything", async () => {
    const r = await artha(
      ["-c", config, "init", "--deployment", net.deploymentFile, "--p2p-port", "70000"],
      withKey,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--p2p-port");
    expect(r.stderr).toContain("1 to 65535");
    expect(existsSync(config)).toBe(false);
  });

  it("imports a key into an encrypted keystore and a config file; never overwrites", async () => {
    const args = [
      "-c",
      config,
      "--json",
      "init",
      "--deployment",
      net.deploymentFile,
      "--rpc",
      net.chain.rpcUrl,
      "--data-dir",
      join(dir, "node-data"),
      "--p2p-port",
      "4191",
      "--api-port",
      "7191",
      "--import-key",
    ];
    const r = await artha(args, { ...withKey, ARTHA_PRIVATE_KEY: KEY });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.address).toBe(ADDRESS);
    const keystore = readFileSync(join(dir, "node-data", "keystore.json"), "utf8");
    expect(keystore.toLowerCase()).not.toContain(KEY.slice(2).toLowerCase());
    const written = JSON.parse(readFileSync(config, "utf8"));
    expect(written.p2p.listen).toEqual(["/ip4/127.0.0.1/tcp/4191"]);
    expect(written.api.port).toBe(7191);

    const again = await artha(args, { ...withKey, ARTHA_PRIVATE_KEY: KEY });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("init never overwrites");
  });
});

describe("artha-node on chain", () => {
  const ops = (...args: string[]) => artha(["-c", config, ...args], withKey);

  it("says what to do when the config is missing", async () => {
    const r = await artha(["-c", join(dir, "nope.json"), "status"], withKey);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("artha-node init");
  });

  it("refuses a malformed amount before touching the chain", async () => {
    const r = await ops("register", "--stake", "-5");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--stake "-5": expected an amount in tokens');
  });

  it("refuses a stake the operator cannot pay, naming both numbers", async () => {
    // Gas money but no tokens yet.
    const r = await ops("register", "--stake", "500");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--stake 500 is more than the operator's token balance 0");
  });

  it("registers with the detected hardware, then reports it in status", async () => {
    await net.a.mined(net.a.token.write.mint([ADDRESS, 2_000n * TOKEN]));
    const r = await ops("--json", "register", "--stake", "500");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.address).toBe(ADDRESS);
    expect(out.multiaddrs[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/4191\/p2p\/12D3KooW/);
    expect(out.apiUrl).toBe("http://127.0.0.1:7191");
    expect(out.capabilities.cpuCores).toBeGreaterThan(0);

    const node = await net.a.nodeRegistry.read.getNode([ADDRESS]);
    expect(node.registered).toBe(true);
    expect(node.stake).toBe(500n * TOKEN);

    const status = await ops("--json", "status");
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.node.registered).toBe(true);
    expect(s.node.stake).toBe((500n * TOKEN).toString());
    expect(s.balance).toBe("0");

    const human = await ops("status");
    expect(human.stdout).toContain(`node ${ADDRESS}: registered`);
    expect(human.stdout).toContain("stake 500 (locked 0, unbonding 0)");
  });

  it("refuses a second registration and adds stake instead", async () => {
    const again = await ops("register", "--stake", "500");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("is already registered (stake 500)");

    const more = await ops("stake", "250");
    expect(more.code).toBe(0);
    expect(more.stdout).toContain("staked 250 more: stake 750");
    expect((await net.a.nodeRegistry.read.getNode([ADDRESS])).stake).toBe(750n * TOKEN);
  });

  it("unbonds, and a withdrawal before the delay is refused with the time it ends", async () => {
    const r = await ops("unstake", "100");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^unbonding 100 until \d{4}-\d\d-\d\dT/);

    const early = await ops("withdraw", "--stake");
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("withdrawStake refused by the contract: UnbondingNotOver");
    expect(early.stderr).toContain("the unbonding of 100 ends at");
    // Nothing moved.
    const node = await net.a.nodeRegistry.read.getNode([ADDRESS]);
    expect(node.unbonding).toBe(100n * TOKEN);
  });

  it("withdraw of earnings with nothing earned says so and sends nothing", async () => {
    const nonce = await net.a.publicClient.getTransactionCount({ address: ADDRESS });
    const r = await ops("--json", "withdraw");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ amount: "0" });
    expect(await net.a.publicClient.getTransactionCount({ address: ADDRESS })).toBe(nonce);
  });

  it("refuses a wrong keystore password without printing the key", async () => {
    const r = await artha(["-c", config, "status"], { ARTHA_KEYSTORE_PASSWORD: "wrong password" });
    expect(r.code).toBe(1);
    expect(r.stderr.toLowerCase()).toContain("password");
    expect(r.stderr.toLowerCase()).not.toContain(KEY.slice(2).toLowerCase());
  });
});

describe("artha-node run (no chain)", () => {
  const inputs = () => ["--model", join(dir, "inputs/mlp"), "--data", join(dir, "inputs/iris")];

  it("runs a train spec in the sandbox twice to the same output root", async () => {
    const specFile = join(dir, "train.json");
    writeFileSync(specFile, canonicalSpecJson(trainSpec as never));
    const roots: string[] = [];
    for (const out of ["run-a", "run-b"]) {
      const r = await artha([
        "--json",
        "run",
        specFile,
        "--image",
        net.images.torch,
        ...inputs(),
        "--out",
        join(dir, out),
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const o = JSON.parse(r.stdout);
      expect(o.ok).toBe(true);
      expect(o.outputRoot).toMatch(/^0x[0-9a-f]{64}$/);
      expect(existsSync(join(dir, out, "result.json"))).toBe(true);
      roots.push(o.outputRoot);
    }
    expect(roots[1]).toBe(roots[0]);
  });

  it("refuses an invalid spec naming the file and the field", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...trainSpec, kind: "mine-bitcoin" }));
    const r = await artha(["run", bad, "--image", net.images.torch]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain("kind");
  });

  it("refuses an image the engine does not have", async () => {
    const specFile = join(dir, "train.json");
    const r = await artha(["run", specFile, "--image", "artha/no-such-image:1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--image artha/no-such-image:1: no such image on this Docker engine");
  });

  it("a job over its deadline fails with exit 1 and says why", async () => {
    const specFile = join(dir, "slow.json");
    // The runtime's most epochs: minutes of training, far past the timeout on any machine (400 were not always).
    const slow = { ...trainSpec, hyperparameters: { ...trainSpec.hyperparameters, epochs: 100_000 } };
    writeFileSync(specFile, canonicalSpecJson(slow as never));
    const r = await artha(["run", specFile, "--image", net.images.torch, ...inputs(), "--timeout", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("timed out after --timeout 2 s");
  });
});
