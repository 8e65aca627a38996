// Stage: evaluate → price → bid. Runs once per job (and again when a job is reopened).
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { JobState, jobSpecKinds, maxClaimPrice, nodeRegistryAbi, parseJobSpec, signBid } from "@arthaain/sdk";
import { evaluateJob } from "../evaluate/index.ts";
import { fetchSpec } from "../inputs/index.ts";
import type { StoredJob } from "../state/openStore.ts";
import type { AgentContext } from "./context.ts";
import { readRegistryEntries } from "./registryEntries.ts";
import { activeReservations } from "./reservations.ts";

/** Decides whether to bid on a freshly seen (or reopened) job, and bids. Records the decision either way. */
export async function considerJob(ctx: AgentContext, stored: StoredJob): Promise<void> {
  const { jobId, job, details } = stored;
  const log = ctx.log.child({ jobId: jobId.toString() });
  const skip = (code: string, reason: string) => {
    ctx.store.setWork(jobId, "skipped", { reason, attempt: job.attempts });
    ctx.metrics.jobsSkipped.inc({ reason: code });
    log.info({ code, reason }, "not bidding");
  };
  if (job.state !== JobState.Open) return;
  const now = ctx.chainNow();
  if (now >= BigInt(job.bidEnd)) return skip("late", `bid window closed at ${job.bidEnd}, chain time ${now}`);
  if (!details.specUri || !details.specHash || !details.imageDigest) {
    return skip("no-details", "the job's submission event was not seen");
  }

  let specBytes: Uint8Array;
  let spec: ReturnType<typeof parseJobSpec>;
  try {
    specBytes = await fetchSpec({ uri: details.specUri, specHash: details.specHash, maxBytes: 1024 * 1024 });
    spec = parseJobSpec(specBytes);
  } catch (error) {
    return skip("bad-spec", (error as Error).message);
  }

  const [{ model, dataset }, node] = await Promise.all([readRegistryEntries(ctx, job), readSelf(ctx)]);
  // The job's price ceiling is its claim cap, not its maxPrice: the job manager keeps the verification
  // budget out of every claim (PriceAboveMax), so a bid above the cap could never be claimed.
  const cap = maxClaimPrice(job.maxPrice, ctx.verificationBudgetBps);

  const verdict = evaluateJob({
    job: {
      kind: jobSpecKinds[job.kind]!,
      gpuCount: job.gpuCount,
      minVramGb: job.minVramGb,
      minCertLevel: job.minCertLevel,
      maxRuntime: job.maxRuntime,
      maxPrice: cap,
      modelId: job.modelId,
      datasetId: job.datasetId,
      imageDigest: details.imageDigest,
      dependencyCount: job.dependencyCount,
    },
    spec,
    node: { ...node, now },
    hardware: ctx.hardware,
    reservations: activeReservations(ctx.store, jobId),
    registry: {
      ...(model ? { model: { license: model.license, uri: model.uri } } : {}),
      ...(dataset ? { dataset: { license: dataset.license, size: dataset.size, uri: dataset.uri } } : {}),
    },
    policy: ctx.config.policy,
  });
  if (!verdict.ok) return skip(verdict.code, verdict.reason);
  for (const entry of [model, dataset]) {
    if (entry && !fileInputAllowed(entry.uri, ctx.config.policy.fileRoots)) {
      return skip(
        "input-scheme",
        `${entry.uri} is outside the directories policy.fileRoots allows for file:// inputs`,
      );
    }
  }

  // No registry to pull from: a node bids only on images it already holds, pinned by id.
  const image = `sha256:${details.imageDigest.slice(2)}`;
  const present = await ctx.docker
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (!present) return skip("image-missing", `image ${image} is not present on this host`);

  const quote = await ctx.pricing
    .price({
      jobId,
      kind: jobSpecKinds[job.kind]!,
      gpuCount: job.gpuCount,
      minVramGb: job.minVramGb,
      maxRuntimeS: job.maxRuntime,
      maxPrice: cap,
      gpuModel: ctx.hardware.gpuModel,
      spec,
    })
    .catch((error: Error) => ({ skip: `pricing failed: ${error.message}` }));
  if ("skip" in quote) return skip("price", quote.skip);
  if (quote.price > cap) {
    return skip(
      "price",
      `our price ${quote.price} is above the job's claim cap ${cap} (max price ${job.maxPrice} less its ${ctx.verificationBudgetBps} bps verification budget)`,
    );
  }

  // Keep the verified spec: the run stage mounts exactly these bytes.
  const dir = ctx.jobDir(jobId, job.attempts);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "spec.json"), specBytes);

  const bid = await signBid({
    signer: ctx.account,
    chainId: ctx.deployment.chainId,
    jobManager: ctx.deployment.contracts.jobManager,
    bid: {
      jobId,
      node: ctx.address,
      price: quote.price,
      etaSeconds: job.maxRuntime,
      expiresAt: BigInt(job.bidEnd) + ctx.claimWindow,
    },
  });
  // Our own bid passes the same validator as everyone's first: a bid peers would reject costs us score.
  const sent = await ctx.market
    .publishBid(bid)
    .catch((error: Error) => ({ published: false, reason: error.message }) as const);
  if (!sent.published) return skip("bid-refused", sent.reason);
  ctx.store.setWork(jobId, "bid", {
    price: quote.price,
    attempt: job.attempts,
    reservation: verdict.reservation,
  });
  ctx.metrics.bids.inc();
  log.info({ price: quote.price.toString(), bidEnd: job.bidEnd }, "bid published");
}

/** file:// inputs are read from the operator's own disk: only under the directories the operator listed. */
function fileInputAllowed(uri: string, fileRoots: readonly string[]): boolean {
  if (!uri.startsWith("file://")) return true;
  const path = resolve(fileURLToPath(uri));
  return fileRoots.some((root) => path === resolve(root) || path.startsWith(`${resolve(root)}${sep}`));
}

/** This node's registration as the job manager sees it (activity, certification). */
export async function readSelf(ctx: AgentContext) {
  const registry = ctx.deployment.contracts.nodeRegistry;
  const [node, active] = await Promise.all([
    ctx.publicClient.readContract({
      address: registry,
      abi: nodeRegistryAbi,
      functionName: "getNode",
      args: [ctx.address],
    }),
    ctx.publicClient.readContract({
      address: registry,
      abi: nodeRegistryAbi,
      functionName: "isActive",
      args: [ctx.address],
    }),
  ]);
  return { active, certLevel: node.certLevel, certExpiry: Number(node.certExpiry) };
}
