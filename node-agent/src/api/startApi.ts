// The agent's HTTP API on loopback (or wherever the operator binds it): /health, /metrics, a job's
// outputs (the manifest, then each file, so anyone can verify them against the on-chain output root)
// and a job's logs, served only to its requester after a signed fresh challenge.
import { randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { assertOutputPath, logsAuthHeaders, logsChallengeMessage, outputManifest } from "@arthaain/sdk";
import { readOutputEntries } from "@arthaain/sdk/node";
import { type Hex, verifyMessage } from "viem";
import type { AgentContext } from "../agent/context.ts";

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_CHALLENGES = 10_000;

export type ApiContext = Pick<AgentContext, "store" | "metrics" | "deployment" | "address" | "jobDir"> & {
  health(): Record<string, unknown>;
};

export async function startApi(ctx: ApiContext, opts: { host: string; port: number }) {
  // Issued challenges: each is good once, for one job, for five minutes.
  const challenges = new Map<string, { jobId: bigint; expires: number }>();

  const send = (res: ServerResponse, status: number, body: unknown, type = "application/json") => {
    res.writeHead(status, { "content-type": type });
    res.end(type === "application/json" ? JSON.stringify(body) : (body as string | Buffer));
  };
  const fail = (res: ServerResponse, status: number, error: string) => send(res, status, { error });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://agent");
    if (req.method !== "GET") return fail(res, 405, `${req.method} is not supported; this API is read-only`);
    if (url.pathname === "/health") return send(res, 200, { status: "ok", ...ctx.health() });
    if (url.pathname === "/metrics") {
      return send(res, 200, await ctx.metrics.registry.metrics(), ctx.metrics.registry.contentType);
    }
    const m = /^\/jobs\/(\d{1,20})\/(outputs\/(.*)|logs\/challenge|logs)$/.exec(url.pathname);
    if (!m) return fail(res, 404, `no route ${url.pathname}`);
    const jobId = BigInt(m[1]!);
    const work = ctx.store.work(jobId);
    const attempt = work?.data.attempt ?? 0;
    if (m[2]!.startsWith("outputs/")) {
      if (!work?.data.outputRoot) return fail(res, 404, `job ${jobId} has no outputs on this node`);
      const dir = join(ctx.jobDir(jobId, attempt), "out");
      const rel = decodeURIComponent(m[3]!);
      // Only what the committed manifest lists is served (the walk refuses symlinks and special files).
      const entries = await readOutputEntries(dir);
      if (rel === "") return send(res, 200, outputManifest(entries), "text/plain; charset=utf-8");
      try {
        assertOutputPath(rel);
      } catch (error) {
        return fail(res, 400, (error as Error).message);
      }
      const entry = entries.find((e) => e.path === rel);
      if (!entry) return fail(res, 404, `job ${jobId} has no output ${rel}`);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": entry.size });
      createReadStream(join(dir, rel)).pipe(res);
      return;
    }
    const stored = ctx.store.job(jobId);
    if (!stored || !work) return fail(res, 404, `job ${jobId} did not run on this node`);
    if (m[2] === "logs/challenge") {
      if (challenges.size >= MAX_CHALLENGES) prune(challenges);
      const challenge = randomBytes(32).toString("hex");
      challenges.set(challenge, { jobId, expires: Date.now() + CHALLENGE_TTL_MS });
      return send(res, 200, {
        challenge,
        message: logsChallengeMessage({ ...chain(), jobId, challenge }),
        expiresInS: CHALLENGE_TTL_MS / 1000,
      });
    }
    const challenge = req.headers[logsAuthHeaders.challenge];
    const signature = req.headers[logsAuthHeaders.signature];
    if (typeof challenge !== "string" || typeof signature !== "string") {
      return fail(
        res,
        401,
        `send ${logsAuthHeaders.challenge} (from /jobs/${jobId}/logs/challenge) and ${logsAuthHeaders.signature}`,
      );
    }
    const issued = challenges.get(challenge);
    challenges.delete(challenge);
    if (!issued || issued.jobId !== jobId || issued.expires < Date.now()) {
      return fail(res, 401, "unknown, used or expired challenge; ask for a new one");
    }
    const ok = await verifyMessage({
      address: stored.job.requester,
      message: logsChallengeMessage({ ...chain(), jobId, challenge }),
      signature: signature as Hex,
    }).catch(() => false);
    if (!ok) return fail(res, 403, `the signature is not from job ${jobId}'s requester`);
    const logFile = join(ctx.jobDir(jobId, attempt), "job.log");
    if (!existsSync(logFile)) return fail(res, 404, `job ${jobId} has no logs yet`);
    return send(res, 200, await readFile(logFile), "text/plain; charset=utf-8");
  }

  const chain = () => ({ chainId: ctx.deployment.chainId, jobManager: ctx.deployment.contracts.jobManager });
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) fail(res, 500, (error as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function prune(challenges: Map<string, { expires: number }>) {
  const now = Date.now();
  for (const [k, v] of challenges) if (v.expires < now) challenges.delete(k);
  if (challenges.size >= MAX_CHALLENGES) challenges.clear();
}
