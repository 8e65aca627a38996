import { createHash } from "node:crypto";
import { type GossipSub, type GossipsubOpts, gossipsub } from "@chainsafe/libp2p-gossipsub";
import {
  createTopicScoreParams,
  type TopicScoreParams,
  validateTopicScoreParams,
} from "@chainsafe/libp2p-gossipsub/score";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { type Identify, identify } from "@libp2p/identify";
import type { Libp2p, PeerId } from "@libp2p/interface";
import { type MulticastDNSInit, mdns } from "@libp2p/mdns";
import { tcp } from "@libp2p/tcp";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { loadPeerKey } from "./loadPeerKey.ts";
import { type MarketLogger, silentMarketLogger } from "./logger.ts";

export type GossipServices = { identify: Identify; pubsub: GossipSub };

export type StartGossipOptions = {
  /** Multiaddrs to listen on. Default `/ip4/127.0.0.1/tcp/0` (loopback, any free port). */
  listen?: string[];
  /**
   * Peers to connect to: configured ones and those registered in NodeRegistry, each a multiaddr ending in
   * `/p2p/<peer id>`. Anyone can register anything, so a malformed entry is skipped with a warning rather
   * than stopping the agent (check configured ones with parsePeerAddress when loading the config). Our
   * own registration, if listed, is skipped.
   */
  bootstrap?: string[];
  /** Discover peers on the LAN by mDNS (true, or @libp2p/mdns options such as `serviceTag`). Default off. */
  mdns?: boolean | MulticastDNSInit;
  /** File of the persistent libp2p identity (see loadPeerKey); undefined or ":memory:" = ephemeral. */
  keyFile?: string;
  /** Below this many connections, the node dials known peers it is not connected to. Default 8. */
  minPeers?: number;
  /** How often to check the connection count and redial, ms. Default 30000. */
  redialIntervalMs?: number;
  /** Gossipsub overrides (tests shorten `heartbeatInterval`, for instance). */
  gossipsub?: Partial<GossipsubOpts>;
  log?: MarketLogger;
};

/** A running libp2p node with gossipsub; the market layer runs on top of it. */
export type GossipNode = {
  /** This node's peer id (what the operator registers on-chain). */
  peerId: string;
  /** Addresses peers can dial, each ending in `/p2p/<peerId>`. */
  multiaddrs(): string[];
  /** Peer ids this node has a connection to. */
  connectedPeers(): string[];
  /** Gossipsub score this node gives `peerId` (0 for unknown peers). */
  peerScore(peerId: string): number;
  /** Dials a multiaddr now (it must include `/p2p/<peer id>`). */
  dial(address: string): Promise<void>;
  /**
   * Scores `topic` with `params` (default bidTopicScoreParams): from then on, messages the topic's validator
   * rejects lower the sending peer's score. Gossipsub looks topic parameters up on every use, so this
   * takes effect at once; startMarket calls it for its topic.
   */
  scoreTopic(topic: string, params?: Partial<TopicScoreParams>): void;
  pubsub: GossipSub;
  libp2p: Libp2p<GossipServices>;
  /** Closes every connection and listener; the node cannot be restarted. */
  stop(): Promise<void>;
};

/**
 * Score parameters of the bid topic. A rejected bid costs its propagation source 20 points, squared
 * with repeats (2 rejects: -80, beyond gossipsub's publish threshold; 3: graylisted), decaying ~1 %/s;
 * good behaviour earns at most ~13 (time in mesh + first deliveries), so even a long-standing peer goes
 * negative with its first rejected bid. Mesh-delivery-rate penalties (P3, P3b) are off: bids are
 * sporadic, and a quiet market is not a misbehaving peer.
 */
export const bidTopicScoreParams: Partial<TopicScoreParams> = {
  topicWeight: 1,
  timeInMeshWeight: 0.01,
  timeInMeshQuantum: 1_000,
  timeInMeshCap: 300,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.99,
  firstMessageDeliveriesCap: 10,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -20,
  invalidMessageDeliveriesDecay: 0.99,
};

/**
 * Starts a libp2p node for the gossip market (DESIGN §3): TCP, Noise, Yamux, identify and gossipsub with
 * peer scoring. It keeps itself connected: every `redialIntervalMs` (and on start, and when mDNS finds a
 * peer) it dials known peers while it has fewer than `minPeers` connections, because @libp2p/bootstrap
 * dials only once and a daemon must outlive its bootstrap peers' restarts.
 */
export async function startGossip(options: StartGossipOptions = {}): Promise<GossipNode> {
  const log = options.log ?? silentMarketLogger;
  const minPeers = options.minPeers ?? 8;
  const bootstrap: Multiaddr[] = [];
  for (const address of options.bootstrap ?? []) {
    const parsed = parsePeerAddress(address);
    if (typeof parsed === "string") log.warn({ address, problem: parsed }, "skipping a bootstrap address");
    else bootstrap.push(parsed);
  }

  const privateKey = await loadPeerKey(options.keyFile, log);
  const libp2p = await createLibp2p({
    privateKey,
    addresses: { listen: options.listen ?? ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: options.mdns ? [mdns(options.mdns === true ? {} : options.mdns)] : [],
    services: {
      identify: identify(),
      pubsub: gossipsub({
        emitSelf: false,
        // A lone node (first of a network, or partitioned) still publishes; the bid is recorded locally.
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        // Ids by content: the same bid relayed or re-published by anyone is one message, seen once.
        msgIdFn: (message) => createHash("sha256").update(message.data).digest(),
        ...options.gossipsub,
      }),
    },
  });
  // The factory is typed as a generic PubSub; the service is gossipsub's class, with scores and meshes.
  const pubsub = libp2p.services.pubsub as unknown as GossipSub;
  const self = libp2p.peerId.toString();

  // Peers to keep connected to, by peer id: configured and registered ones, then mDNS finds.
  const known = new Map<string, Multiaddr[] | PeerId>();
  for (const address of bootstrap) {
    const id = address.getPeerId()!;
    if (id === self) continue; // our own registration
    const list = known.get(id);
    if (Array.isArray(list)) list.push(address);
    else known.set(id, [address]);
  }

  let stopped = false;
  let topping = false;
  const topUp = async () => {
    if (stopped || topping) return;
    topping = true;
    try {
      const connected = new Set(libp2p.getPeers().map(String));
      // Random order, so that agents sharing one registered list do not all dial its first entries.
      const wanted = shuffle([...known].filter(([id]) => !connected.has(id)));
      // In parallel: an unreachable registered address must not hold up the reachable ones.
      await Promise.all(
        wanted.slice(0, Math.max(0, minPeers - connected.size)).map(async ([id, target]) => {
          try {
            await libp2p.dial(target);
          } catch (error) {
            if (!stopped)
              log.debug({ peer: id, error: (error as Error).message }, "gossip dial failed; will retry");
          }
        }),
      );
    } finally {
      topping = false;
    }
  };
  const onDiscovery = (event: CustomEvent<{ id: PeerId }>) => {
    const id = event.detail.id.toString();
    if (id === self || known.has(id)) return;
    known.set(id, event.detail.id);
    void topUp();
  };
  if (options.mdns) libp2p.addEventListener("peer:discovery", onDiscovery);
  const timer = setInterval(() => void topUp(), options.redialIntervalMs ?? 30_000);
  timer.unref();
  void topUp();

  log.info(
    {
      peerId: self,
      listen: libp2p.getMultiaddrs().map(String),
      peers: known.size,
      mdns: Boolean(options.mdns),
    },
    "gossip node started",
  );

  return {
    peerId: self,
    multiaddrs: () => libp2p.getMultiaddrs().map(String),
    connectedPeers: () => libp2p.getPeers().map(String),
    peerScore: (peerId) => pubsub.getScore(peerId),
    async dial(address) {
      const parsed = parsePeerAddress(address);
      if (typeof parsed === "string") throw new Error(`gossip dial ${JSON.stringify(address)}: ${parsed}`);
      await libp2p.dial(parsed);
    },
    scoreTopic(topic, params = bidTopicScoreParams) {
      const full = createTopicScoreParams(params);
      validateTopicScoreParams(full);
      pubsub.score.params.topics[topic] = full;
    },
    pubsub,
    libp2p: libp2p as unknown as Libp2p<GossipServices>,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      libp2p.removeEventListener("peer:discovery", onDiscovery);
      await libp2p.stop();
      log.info({ peerId: self }, "gossip node stopped");
    },
  };
}

/** A dialable peer address (a multiaddr with `/p2p/<peer id>`), or why it is not one. */
export function parsePeerAddress(address: string): Multiaddr | string {
  let parsed: Multiaddr;
  try {
    parsed = multiaddr(address);
  } catch (error) {
    return `not a multiaddr (${(error as Error).message})`;
  }
  if (!parsed.getPeerId()) return "expected a multiaddr ending in /p2p/<peer id>";
  return parsed;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
