import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EPHEMERAL_KEY } from "./loadPeerKey.ts";
import type { MarketLogger } from "./logger.ts";
import { type GossipNode, parsePeerAddress, type StartGossipOptions, startGossip } from "./startGossip.ts";

const nodes: GossipNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(options: StartGossipOptions = {}): Promise<GossipNode> {
  const node = await startGossip(options);
  nodes.push(node);
  return node;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "artha-gossip-"));
  dirs.push(dir);
  return dir;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const portOf = (address: string) => Number(/\/tcp\/(\d+)/.exec(address)![1]);

describe("startGossip", () => {
  it("keeps its peer id across restarts through the key file, created with mode 0600", async () => {
    const keyFile = join(tempDir(), "nested", "p2p.key");
    const first = await start({ keyFile });
    const id = first.peerId;
    await first.stop();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const second = await start({ keyFile });
    expect(second.peerId).toBe(id);
    expect(second.multiaddrs()[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${id}$`));
  });

  it("gives a fresh identity without a key file or with :memory:", async () => {
    const a = await start();
    const b = await start({ keyFile: EPHEMERAL_KEY });
    expect(a.peerId).not.toBe(b.peerId);
  });

  it("refuses a key file that is not a libp2p key, saying what to do", async () => {
    const keyFile = join(tempDir(), "p2p.key");
    writeFileSync(keyFile, "not a key", { mode: 0o600 });
    await expect(startGossip({ keyFile })).rejects.toThrow(/p2p\.key: not a libp2p private key.*delete it/);
  });

  it("warns when the key file is readable by others", async () => {
    const keyFile = join(tempDir(), "p2p.key");
    await (await start({ keyFile })).stop();
    const { chmodSync } = await import("node:fs");
    chmodSync(keyFile, 0o644);
    const warnings: string[] = [];
    const log: MarketLogger = { info() {}, debug() {}, warn: (_f, message) => warnings.push(message) };
    await start({ keyFile, log });
    expect(warnings).toEqual([expect.stringMatching(/readable by others/)]);
  });

  it("frees its port on stop", async () => {
    const node = await start();
    const port = portOf(node.multiaddrs()[0]!);
    await node.stop();
    await node.stop(); // idempotent
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
    });
  });

  it("connects to bootstrap peers, skipping malformed entries and itself", async () => {
    const keyFile = join(tempDir(), "p2p.key");
    const a = await start();
    const warnings: string[] = [];
    const log: MarketLogger = { info() {}, debug() {}, warn: (f) => warnings.push(String(f.address)) };
    // Learn b's own address first, so that it appears in its own bootstrap list like an on-chain entry.
    const probe = await start({ keyFile });
    const own = probe.multiaddrs()[0]!;
    await probe.stop();
    const b = await start({
      keyFile,
      listen: [own.replace(/\/p2p\/.*$/, "")],
      bootstrap: ["/ip4/127.0.0.1/tcp/1", "garbage", own, a.multiaddrs()[0]!],
      log,
    });
    await waitFor("b connected to a", () => b.connectedPeers().includes(a.peerId));
    expect(warnings).toEqual(["/ip4/127.0.0.1/tcp/1", "garbage"]);
    expect(b.connectedPeers()).toEqual([a.peerId]);
  });

  it("redials a bootstrap peer that was down at start", async () => {
    const keyFile = join(tempDir(), "p2p.key");
    const probe = await start({ keyFile });
    const address = probe.multiaddrs()[0]!;
    await probe.stop();
    const b = await start({ bootstrap: [address], redialIntervalMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.connectedPeers()).toEqual([]);
    const a = await start({ keyFile, listen: [address.replace(/\/p2p\/.*$/, "")] });
    await waitFor("b redialled a", () => b.connectedPeers().includes(a.peerId));
  });

  it("rejects a dial target without a peer id", async () => {
    const node = await start();
    await expect(node.dial("/ip4/127.0.0.1/tcp/4001")).rejects.toThrow(
      /expected a multiaddr ending in \/p2p\/<peer id>/,
    );
    expect(parsePeerAddress("nope")).toMatch(/not a multiaddr/);
  });

  // mDNS discovery cannot be shown here: the loopback interface does not carry multicast, and the test
  // must not rely on other hosts. This only shows that the discovery service starts and stops cleanly.
  it("starts and stops with mDNS enabled", async () => {
    const node = await start({ mdns: { interval: 60_000, serviceTag: "_artha-test._udp.local" } });
    expect(node.peerId).toMatch(/^12D3KooW/);
    await node.stop();
  });
});
