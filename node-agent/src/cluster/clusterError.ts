// Every failure of the cluster module is a ClusterError with a code the agent can act on (retry, fail the
// job, rebuild an image) and a message naming the engine or container, never a raw socket stack.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";

export type ClusterErrorCode =
  /** The engine socket does not answer (dockerd down, wrong socket, no permission). */
  | "engine-unreachable"
  /** The pinned image is not present locally; the agent never pulls. */
  | "image-missing"
  /** The options are wrong before anything reaches the engine (image not pinned, bad limit, relative path). */
  | "invalid-options"
  /** The deadline is already behind us: starting the job would be pointless. */
  | "deadline-passed"
  /** A container with this job's name exists already (find and re-attach to it instead). */
  | "container-exists"
  /** The container was removed behind our back (or never existed). */
  | "container-gone"
  /** The engine refused to create the container (bad mount, bad HostConfig). */
  | "create-failed"
  /** The engine created the container but could not start it (no GPU driver, missing device). */
  | "start-failed"
  /** The caller's AbortSignal stopped the wait; the container keeps running. */
  | "aborted"
  /** Any other engine answer. */
  | "engine-error";

export class ClusterError extends Error {
  override readonly name = "ClusterError";
  readonly code: ClusterErrorCode;
  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** How to reach the engine, for messages: `unix:///var/run/docker.sock` or `http://host:port`. */
export function engineAddress(docker: Docker): string {
  const modem = docker.modem as {
    socketPath?: unknown;
    host?: string;
    port?: string | number;
    protocol?: string;
  };
  if (modem.host) return `${modem.protocol ?? "http"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
  if (typeof modem.socketPath === "string") return `unix://${modem.socketPath}`;
  // docker-modem's default is a lookup (Docker Desktop's per-user socket, else the system one); same rule.
  const user = join(homedir(), ".docker", "run", "docker.sock");
  return `unix://${existsSync(user) ? user : "/var/run/docker.sock"}`;
}

/** docker-modem's HTTP error: `statusCode` and the engine's JSON `{ message }`. */
type EngineHttpError = Error & { statusCode?: number; json?: { message?: string } | null; code?: string };

/** The engine's own words for a refused request, without docker-modem's "(HTTP code …)" prefix. */
export function engineMessage(error: unknown): string {
  const e = error as EngineHttpError;
  const text = e?.json?.message ?? e?.message ?? String(error);
  return text.trim();
}

export function httpStatus(error: unknown): number | undefined {
  return (error as EngineHttpError)?.statusCode;
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EACCES",
  "EPERM",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

/**
 * Turns what dockerode threw into a ClusterError. `what` names the object the request was about
 * ("container artha-job-7-1", "image sha256:…"); a 404 on it becomes `notFound`.
 */
export function toClusterError(
  docker: Docker,
  error: unknown,
  what: string,
  doing: string,
  notFound: ClusterErrorCode = "engine-error",
): ClusterError {
  if (error instanceof ClusterError) return error;
  const engine = engineAddress(docker);
  const e = error as EngineHttpError;
  if (e?.name === "AbortError") {
    return new ClusterError("aborted", `stopped ${doing} ${what} on the Docker engine at ${engine}`, {
      cause: error,
    });
  }
  if (e?.code && CONNECTION_CODES.has(e.code) && e.statusCode === undefined) {
    return new ClusterError(
      "engine-unreachable",
      `Docker engine at ${engine} is unreachable while ${doing} ${what} (${e.code}); is dockerd running and is the socket readable?`,
      { cause: error },
    );
  }
  const status = httpStatus(error);
  if (status === 404 && notFound === "container-gone") {
    return new ClusterError(
      "container-gone",
      `${what} is gone from the Docker engine at ${engine} (removed, or never created there); found while ${doing} it`,
      { cause: error },
    );
  }
  const code: ClusterErrorCode = status === 404 ? notFound : "engine-error";
  return new ClusterError(
    code,
    `Docker engine at ${engine} refused ${doing} ${what}${status ? ` (HTTP ${status})` : ""}: ${engineMessage(error)}`,
    { cause: error },
  );
}
