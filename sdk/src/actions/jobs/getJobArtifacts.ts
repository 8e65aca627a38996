import { type Hex, isAddressEqual, sha256, zeroAddress, zeroHash } from "viem";
import type { ArthaReadContext } from "../../client/context.ts";
import { jobStates } from "../../constants.ts";
import { type OutputEntry, outputManifest, outputRootOfManifest } from "../../outputs/outputRoot.ts";
import { getJobRecord } from "../getJobRecord.ts";
import { type NodeApi, openNodeApi } from "../nodes/nodeApi.ts";

export type GetJobArtifactsParameters = {
  jobId: bigint;
  /** The fetch to reach the node with; default the global one. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
};

/** One output file of a job, verified against the job's on-chain output root. */
export type JobArtifact = { path: string; bytes: Uint8Array };

export type JobArtifacts = {
  /** The output root the node committed on-chain (and that every file was checked against). */
  outputRoot: Hex;
  /** Every output file, in manifest order (paths sorted by their UTF-8 bytes). */
  files: JobArtifact[];
};

/** A manifest line is ~100 bytes; this allows hundreds of thousands of files and bounds a hostile node. */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
/** Files downloaded at once. */
const PARALLEL = 4;

/**
 * A job's output files, downloaded from the node that ran it and verified: the manifest must hash to the
 * output root the node committed on-chain, and every file must have the size and sha256 the manifest lists.
 * Any mismatch throws (naming the two roots, or the file) and nothing is returned. Needs a submitted result.
 */
export async function getJobArtifacts(
  ctx: ArthaReadContext,
  p: GetJobArtifactsParameters,
): Promise<JobArtifacts> {
  const { jobId } = p;
  const job = await getJobRecord(ctx.publicClient, {
    jobManager: ctx.deployment.contracts.jobManager,
    jobId,
  });
  const outputRoot = job.outputRoot;
  if (outputRoot === zeroHash) {
    throw new Error(
      `job ${jobId} has no result on-chain yet (state ${jobStates[job.state]}): no outputs to fetch`,
    );
  }
  if (isAddressEqual(job.claimer, zeroAddress)) {
    throw new Error(
      `job ${jobId} has no assigned node any more (state ${jobStates[job.state]}): no outputs to fetch`,
    );
  }
  const node = await openNodeApi(ctx, job.claimer, p.fetch);
  const from = `node ${node.operator} at ${node.url}`;

  const res = await node.get(`/jobs/${jobId}/outputs/`, `job ${jobId}'s output manifest`, {
    signal: p.signal,
  });
  const manifestBytes = await readBody(
    res,
    MAX_MANIFEST_BYTES,
    `job ${jobId}'s output manifest from ${from}`,
  );
  // The root is over the exact bytes served, so nothing in the manifest is trusted before it matches.
  const servedRoot = outputRootOfManifest(manifestBytes);
  if (servedRoot !== outputRoot) {
    throw new Error(
      `job ${jobId}: the output manifest from ${from} hashes to ${servedRoot}, not to the output root ` +
        `${outputRoot} committed on-chain; its outputs were changed or are not the submitted ones`,
    );
  }
  const entries = parseManifest(manifestBytes, `job ${jobId}'s output manifest from ${from}`);

  // The first failure stops the other downloads.
  const abort = new AbortController();
  const signal = p.signal ? AbortSignal.any([p.signal, abort.signal]) : abort.signal;
  const files: JobArtifact[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      files[i] = await downloadFile(node, jobId, entries[i]!, signal);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, entries.length) }, worker));
  } catch (error) {
    abort.abort();
    throw error;
  }
  return { outputRoot, files };
}

async function downloadFile(node: NodeApi, jobId: bigint, entry: OutputEntry, signal: AbortSignal) {
  const what = `output ${entry.path} of job ${jobId}`;
  const from = `node ${node.operator} at ${node.url}`;
  // Paths are canonical (checked against the manifest format), so encoding each segment is exact.
  const urlPath = entry.path.split("/").map(encodeURIComponent).join("/");
  const res = await node.get(`/jobs/${jobId}/outputs/${urlPath}`, what, { signal });
  const bytes = await readBody(res, entry.size, `${what} from ${from}`);
  if (bytes.length !== entry.size) {
    throw new Error(`${what} from ${from} is ${bytes.length} bytes; the manifest says ${entry.size}`);
  }
  const hash = sha256(bytes).slice(2);
  if (hash !== entry.sha256) {
    throw new Error(
      `${what} from ${from} has sha256 ${hash}, not the ${entry.sha256} its committed manifest lists; ` +
        "the file was changed after the result was submitted",
    );
  }
  return { path: entry.path, bytes };
}

/** A response body of at most `max` bytes: a node cannot stream endless data into memory. */
async function readBody(res: Response, max: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > max) throw new Error(`${what} is ${declared} bytes, more than the ${max} expected`);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  // A reader, not async iteration, which some browsers lack on response bodies.
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new Error(`${what}: download failed: ${(error as Error).message}`, { cause: error });
    }
    if (chunk.done) break;
    total += chunk.value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new Error(`${what} is more than the ${max} bytes expected`);
    }
    chunks.push(chunk.value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Entries of a manifest whose root already matched; also checks it is canonical (valid paths, order). */
function parseManifest(bytes: Uint8Array, what: string): OutputEntry[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${what} is not valid UTF-8`);
  }
  const lines = text.split("\n");
  if (lines.pop() !== "") throw new Error(`${what} does not end with a line break`);
  const entries = lines.map((line, i) => {
    const m = /^([0-9a-f]{64}) (0|[1-9][0-9]{0,15}) (.+)$/.exec(line);
    if (!m) throw new Error(`${what}: line ${i + 1} is not "<sha256> <size> <path>"`);
    return { sha256: m[1]!, size: Number(m[2]), path: m[3]! };
  });
  let canonical: string;
  try {
    canonical = outputManifest(entries);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
  if (canonical !== text) throw new Error(`${what} is not in canonical form (sorted, one line per file)`);
  return entries;
}
