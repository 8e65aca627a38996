// Shared by the gossip tests beside it: a real gossip node on 127.0.0.1 whose log lines are kept, and polling.
import { type GossipNode, type MarketLogger, startGossip } from "@arthaain/sdk/node";

export type LoggedLine = { level: string; message: string; reason?: string };

/** A gossip node dialling `bootstrap` at start, with a fast heartbeat (meshes and scores settle quickly). */
export async function startTestGossip(bootstrap: GossipNode[] = []) {
  const logs: LoggedLine[] = [];
  const log: MarketLogger = {
    info: (_f, message) => logs.push({ level: "info", message }),
    warn: (f, message) => logs.push({ level: "warn", message, reason: f.reason as string | undefined }),
    debug: (f, message) => logs.push({ level: "debug", message, reason: f.reason as string | undefined }),
  };
  const gossip = await startGossip({
    bootstrap: bootstrap.map((g) => g.multiaddrs()[0]!),
    log,
    gossipsub: { heartbeatInterval: 200 },
  });
  return { gossip, log, logs };
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
