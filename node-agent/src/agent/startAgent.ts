// The node agent, wired in one place: watch → evaluate/price/bid → claim → run → submit → settle.
// Each stage lives in its own module; this file owns the two loops (chain events in, work items forward)
// and the lifecycle of every long-lived part (store, p2p, API, Docker client).
import { join } from "node:path";
import {
  getJobRecord,
  getVerifierDraw,
  type JobRecord,
  jobManagerAbi,
  proofOfComputeAbi,
} from "@arthaain/sdk";
import {
  cachedBidNodeLookup,
  loadPrivateKey,
  readDeploymentFile,
  registeredPeerAddresses,
} from "@arthaain/sdk/node";
import Docker from "dockerode";
import { startApi } from "../api/startApi.ts";
import { connectChain } from "../chain/connectChain.ts";
import { createTxSender } from "../chain/createTxSender.ts";
import type { AgentConfig } from "../config/agentConfig.ts";
import { detectHardware, type Hardware, summarizeHardware } from "../hardware/index.ts";
import { createLog, type Log } from "../log.ts";
import { startBallots, startGossip, startMarket, validateBid } from "../market/index.ts";
import { createMetrics } from "../metrics/createMetrics.ts";
import { createPricing } from "../price/createPricing.ts";
import { openStore, type Work } from "../state/openStore.ts";
import { watchJobEvents } from "../watch/watchJobEvents.ts";
import { considerJob } from "./bid.ts";
import { awaitAssignment, claimWhenOurTurn } from "./claim.ts";
import type { AgentContext, AgentFaults } from "./context.ts";
import { createDrawCache } from "./drawCache.ts";
import { awaitRun, JobFailure, startAssigned } from "./run.ts";
import { finalizeWhenDue, submitResult, withdrawEarnings } from "./settle.ts";
import { startVerifier } from "./verify.ts";

export class AgentStartError extends Error {
  override readonly name = "AgentStartError";
}

export type StartAgentOptions = {
  config: AgentConfig;
  /** The operator key, as loaded by the caller; else from the config's keystore or ARTHA_PRIVATE_KEY. */
  privateKey?: `0x${string}`;
  log?: Log;
  /** Hardware as detected elsewhere (tests); else config.hardware, else detection. */
  hardware?: Hardware;
  /**
   * Misbehaviour for the end-to-end tests of the verification protocol only (AgentFaults): a worker that
   * tampers with its outputs, a verifier that never reveals. Never set by the CLI.
   */
  faults?: AgentFaults;
};

const steps: Partial<Record<Work["phase"], (ctx: AgentContext, work: Work) => Promise<void>>> = {
  bid: claimWhenOurTurn,
  claimed: awaitAssignment,
  assigned: startAssigned,
  running: awaitRun,
  ran: submitResult,
  submitted: finalizeWhenDue,
  finalized: withdrawEarnings,
};

export async function startAgent(opts: StartAgentOptions) {
  const { config } = opts;
  const log = opts.log ?? createLog({ level: config.log.level, destination: config.log.file });
  const deployment = await readDeploymentFile(config.deployment).catch((error: Error) => {
    throw new AgentStartError(`deployment ${config.deployment}: ${error.message}`);
  });
  const privateKey =
    opts.privateKey ??
    (await loadPrivateKey({
      keystoreFile: config.keystore,
      password: process.env.ARTHA_KEYSTORE_PASSWORD,
      privateKey: process.env.ARTHA_PRIVATE_KEY,
    }));
  const { publicClient, walletClient, account } = await connectChain({
    rpcUrl: config.rpcUrl,
    deployment,
    privateKey,
  }).catch((error: Error) => {
    throw new AgentStartError(error.message);
  });
  const docker = new Docker(config.docker.socketPath ? { socketPath: config.docker.socketPath } : undefined);
  await docker.ping().catch((error: Error) => {
    throw new AgentStartError(
      `Docker engine at ${config.docker.socketPath ?? "/var/run/docker.sock"} does not answer (${error.message}); start dockerd`,
    );
  });

  const jm = deployment.contracts.jobManager;
  const [claimWindow, challengeWindow, verificationBudgetBps, disputeTimeout] = await Promise.all([
    publicClient.readContract({ address: jm, abi: jobManagerAbi, functionName: "claimWindow" }),
    publicClient.readContract({ address: jm, abi: jobManagerAbi, functionName: "challengeWindow" }),
    publicClient.readContract({ address: jm, abi: jobManagerAbi, functionName: "verificationBudgetBps" }),
    publicClient.readContract({
      address: deployment.contracts.proofOfCompute,
      abi: proofOfComputeAbi,
      functionName: "disputeTimeout",
    }),
  ]);
  const hardware =
    opts.hardware ?? (config.hardware ? summarizeHardware(config.hardware) : await detectHardware({ log }));
  const store = openStore(join(config.dataDir, "agent.db"));
  const metrics = createMetrics();
  const sender = createTxSender({ publicClient, walletClient, log });
  const pricing = await createPricing(config.pricing, publicClient, deployment);

  const lookupNode = cachedBidNodeLookup(publicClient, deployment.contracts.nodeRegistry);
  const lookupJob = async (jobId: bigint): Promise<JobRecord | undefined> =>
    store.job(jobId)?.job ??
    (await getJobRecord(publicClient, { jobManager: jm, jobId }).catch(() => undefined));

  let head = await publicClient.getBlock();
  const gossip = await startGossip({
    keyFile: join(config.dataDir, "p2p.key"),
    listen: config.p2p.listen,
    bootstrap: [
      ...config.p2p.bootstrap,
      ...(await registeredPeerAddresses(publicClient, deployment.contracts.nodeRegistry, account.address)),
    ],
    mdns: config.p2p.mdns,
    log,
  });
  const market = await startMarket({
    gossip,
    chainId: deployment.chainId,
    jobManager: jm,
    log,
    validateBid: (bid, seen) =>
      validateBid({
        ...seen,
        bid,
        now: head.timestamp,
        lookupJob,
        lookupNode,
        verificationBudgetBps,
        chainId: deployment.chainId,
        jobManager: jm,
      }),
    onBid: () => metrics.bidsReceived.inc(),
  });
  const { proofOfCompute, nodeRegistry } = deployment.contracts;
  // Ballots are judged against the dispute's draw, and the verifier tick acts on it: one short-lived read
  // per job serves both.
  const draws = createDrawCache((jobId) =>
    getVerifierDraw(publicClient, { proofOfCompute, nodeRegistry, jobId }),
  );
  const ballots =
    config.verify.enabled && config.verify.signedVotes
      ? await startBallots({
          gossip,
          chainId: deployment.chainId,
          proofOfCompute,
          lookupDraw: draws.get,
          log,
        })
      : undefined;

  const abort = new AbortController();
  let lastBatchAt = 0;
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  const ctx: AgentContext = {
    config,
    deployment,
    log,
    store,
    publicClient,
    account,
    address: account.address,
    sender,
    market,
    ...(ballots ? { ballots } : {}),
    draws,
    walletClient,
    docker,
    hardware,
    pricing,
    metrics,
    ...(opts.faults ? { faults: { ...opts.faults } } : {}),
    claimWindow: BigInt(claimWindow),
    disputeTimeout: BigInt(disputeTimeout),
    challengeWindow: BigInt(challengeWindow),
    verificationBudgetBps: BigInt(verificationBudgetBps),
    chainNow: () => head.timestamp,
    chainHead: () => head.number,
    apiUrl: () => config.api.publicUrl ?? api!.url,
    jobDir: (jobId, attempt) => join(config.dataDir, "jobs", `${jobId}-${attempt}`),
  };
  api = await startApi(
    {
      ...ctx,
      health: () => ({
        address: account.address,
        peerId: gossip.peerId,
        chainHead: head.number.toString(),
        cursor: store.cursor()?.toString(),
        lastBatchAt,
        activeJobs: store.allWork({ active: true }).length,
      }),
    },
    config.api,
  );

  // One action in flight per job: the two loops never act on the same job at once.
  const inFlight = new Map<bigint, Promise<void>>();
  const act = (jobId: bigint, what: string, fn: () => Promise<void>) => {
    if (inFlight.has(jobId) || abort.signal.aborted) return;
    const p = fn()
      .catch((error: unknown) => {
        if (abort.signal.aborted) return; // stopping: the step resumes after a restart
        if (error instanceof JobFailure) {
          store.setWork(jobId, "failed", { reason: `${error.stage}: ${error.message}` });
          market.forget(jobId);
          metrics.failures.inc({ stage: error.stage });
          log.warn(
            { jobId: jobId.toString(), stage: error.stage, reason: error.message },
            "job failed on this node",
          );
        } else {
          log.warn(
            { jobId: jobId.toString(), step: what, err: (error as Error).message },
            "step failed; retrying",
          );
        }
      })
      .finally(() => inFlight.delete(jobId));
    inFlight.set(jobId, p);
  };

  const onRpcError = (error: unknown, attempt: number, retryInMs: number) => {
    metrics.rpcErrors.inc();
    log.warn(
      { attempt, retryInMs, err: (error as Error).message.split("\n")[0] },
      "RPC error while watching; retrying",
    );
  };
  // The verifier role (docs/verification.md): its own event watcher, tick and store tables.
  const verifier = config.verify.enabled
    ? startVerifier(ctx, { signal: abort.signal, onRpcError })
    : undefined;

  const watching = (async () => {
    const events = watchJobEvents({
      client: publicClient,
      jobManager: jm,
      fromBlock: store.cursor() ?? BigInt(deployment.startBlock),
      confirmations: config.confirmations,
      pollIntervalMs: config.pollIntervalMs,
      signal: abort.signal,
      onRpcError,
    });
    for await (const batch of events) {
      store.applyBatch(batch);
      lastBatchAt = Date.now();
      for (const e of batch.events) {
        if (e.name === "JobDisputed") verifier?.poke(e.jobId);
        if (e.name !== "JobSubmitted" && e.name !== "JobReopened") continue;
        metrics.jobsSeen.inc();
        const prior = store.work(e.jobId);
        if (prior && !(e.name === "JobReopened" && (prior.phase === "lost" || prior.phase === "skipped")))
          continue;
        const stored = store.job(e.jobId)!;
        act(e.jobId, "consider", () => considerJob(ctx, stored));
      }
    }
  })();

  const ticking = (async () => {
    while (!abort.signal.aborted) {
      try {
        head = await publicClient.getBlock();
        metrics.head.set(Number(head.number));
        for (const work of store.allWork({ active: true })) {
          const step = steps[work.phase];
          if (step) act(work.jobId, work.phase, () => step(ctx, work));
        }
      } catch (error) {
        metrics.rpcErrors.inc();
        log.warn({ err: (error as Error).message.split("\n")[0] }, "RPC error reading the head; retrying");
      }
      await new Promise((r) => setTimeout(r, config.pollIntervalMs));
    }
  })();

  log.info(
    {
      address: account.address,
      peerId: gossip.peerId,
      api: api.url,
      chainId: deployment.chainId,
      gpus: hardware.gpus.length,
      verifier: config.verify.enabled,
    },
    "node agent started",
  );
  if (opts.faults) log.warn({ faults: opts.faults }, "test faults on: this agent misbehaves on purpose");

  return {
    address: account.address,
    peerId: gossip.peerId,
    apiUrl: api.url,
    multiaddrs: () => gossip.multiaddrs(),
    store,
    metrics,
    sender,
    /** Stops every loop and part it started; containers keep running and are re-attached on restart. */
    async stop() {
      abort.abort();
      await Promise.allSettled([watching, ticking, verifier?.stop()]);
      // Steps waiting on a container are left: the container outlives the agent by design.
      await Promise.race([
        Promise.allSettled([...inFlight.values()]),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
      await market.stop();
      await ballots?.stop();
      await gossip.stop();
      await api?.stop();
      store.close();
      log.info("node agent stopped");
    },
  };
}

export type Agent = Awaited<ReturnType<typeof startAgent>>;
