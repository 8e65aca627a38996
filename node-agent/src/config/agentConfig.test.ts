import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAgentConfig, parseAgentConfig } from "./agentConfig.ts";

describe("agent config", () => {
  it("fills every default and resolves paths against the config file's directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "artha-node.json");
    writeFileSync(file, JSON.stringify({ deployment: "deployments/31337.json", keystore: "key.json" }));
    const c = loadAgentConfig(file, {});
    expect(c.deployment).toBe(join(dir, "deployments/31337.json"));
    expect(c.keystore).toBe(join(dir, "key.json"));
    expect(c).toMatchObject({
      rpcUrl: "http://127.0.0.1:8545",
      confirmations: 2,
      p2p: { listen: ["/ip4/127.0.0.1/tcp/0"], bootstrap: [], mdns: false },
      api: { host: "127.0.0.1", port: 0 },
      pricing: { strategy: "table", cpuHour: "1", floor: "0.01" },
      policy: { images: { digests: [], allowAny: false }, allowNetwork: false, maxConcurrentJobs: 2 },
      settle: { autoFinalize: true, autoWithdraw: true },
      verify: { enabled: true, maxConcurrent: 1, signedVotes: true, signedRevealWaitSeconds: 60 },
    });
  });

  it("lets the environment override the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ deployment: "/d.json", rpcUrl: "http://127.0.0.1:1" }));
    const c = loadAgentConfig(file, { ARTHA_RPC_URL: "http://127.0.0.1:9545", ARTHA_NODE_API_PORT: "7171" });
    expect(c.rpcUrl).toBe("http://127.0.0.1:9545");
    expect(c.api.port).toBe(7171);
  });

  it("names the wrong key and what it expected", () => {
    expect(() => parseAgentConfig({ deployment: "/d.json", confirmations: -1 }, "cfg")).toThrow(
      /^cfg: confirmations: /,
    );
    expect(() =>
      parseAgentConfig({ deployment: "/d.json", pricing: { strategy: "table", floor: "cheap" } }, "cfg"),
    ).toThrow('cfg: pricing.floor: expected a decimal amount in token units, like "2.5"');
    expect(() => parseAgentConfig({}, "cfg")).toThrow(/^cfg: deployment: /);
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "bad.json"), "{ nope");
    expect(() => loadAgentConfig(join(dir, "bad.json"), {})).toThrow(/bad.json: not valid JSON/);
    expect(() => loadAgentConfig(join(dir, "missing.json"), {})).toThrow(
      /missing.json: cannot read \(ENOENT\)/,
    );
  });
});
