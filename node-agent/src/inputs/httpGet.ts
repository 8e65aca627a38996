// One bounded HTTP GET: node:http(s) directly (no fetch: its "bad port" list and transparent
// decompression would make what is hashed differ from what the server sent), a socket idle timeout that
// covers connecting, the headers and every pause in the body, and redirects followed by hand up to a bound.
import { get as getHttp, type IncomingMessage } from "node:http";
import { get as getHttps } from "node:https";
import { InputError, shortUri } from "./inputError.ts";

export type HttpGetOptions = {
  /** The input's URI, for messages. */
  uri: string;
  /** Longest silence tolerated: while connecting, waiting for headers, and between body chunks. */
  timeoutMs: number;
  maxRedirects: number;
  signal?: AbortSignal | undefined;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url` and returns the 200 response, its body unread (an async iterable of Buffers; the timeout
 * stays armed while it is read). Throws InputError not-found (404, 410) or unreachable (anything else).
 * An abort through `signal` rejects with the signal's reason.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<IncomingMessage> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(current, options);
    const status = response.statusCode ?? 0;
    if (status === 200) return response;
    response.resume(); // drain, so the socket is released
    if (REDIRECTS.has(status) && response.headers.location) {
      if (hop >= options.maxRedirects) {
        throw new InputError(
          "unreachable",
          options.uri,
          `input ${options.uri}: more than ${options.maxRedirects} redirects (last: ${current})`,
        );
      }
      const next = new URL(response.headers.location, current);
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        throw new InputError(
          "unreachable",
          options.uri,
          `input ${options.uri}: ${current} redirects to ${shortUri(next.href)}, which is not http(s)`,
        );
      }
      current = next.href;
      continue;
    }
    if (status === 404 || status === 410) {
      throw new InputError(
        "not-found",
        options.uri,
        `input ${options.uri}: ${current} answered ${status} (not found)`,
      );
    }
    throw new InputError(
      "unreachable",
      options.uri,
      `input ${options.uri}: ${current} answered HTTP ${status}; expected 200`,
    );
  }
}

function requestOnce(url: string, options: HttpGetOptions): Promise<IncomingMessage> {
  const get = url.startsWith("https:") ? getHttps : getHttp;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const request = get(
      url,
      {
        // identity: the bytes hashed are the bytes sent, and Content-Length can be checked against limits.
        headers: { "accept-encoding": "identity", "user-agent": "artha-node" },
        timeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (r) => {
        response = r;
        resolve(r);
      },
    );
    request.on("timeout", () => {
      const error = new InputError(
        "unreachable",
        options.uri,
        `input ${options.uri}: ${url} sent nothing for ${options.timeoutMs} ms (timed out)`,
      );
      // Destroying the response too makes a reader of the body see this error, not a bare "aborted".
      response?.destroy(error);
      request.destroy(error);
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (error instanceof InputError) return reject(error);
      reject(
        new InputError(
          "unreachable",
          options.uri,
          `input ${options.uri}: ${url} is unreachable (${error.code ?? error.message})`,
          {
            cause: error,
          },
        ),
      );
    });
  });
}

/** Rethrows a body stream's failure as the InputError that caused it, or as unreachable. */
export function bodyError(
  error: unknown,
  url: string,
  options: Pick<HttpGetOptions, "uri" | "signal">,
): unknown {
  if (options.signal?.aborted) return options.signal.reason;
  if (error instanceof InputError) return error;
  const e = error as NodeJS.ErrnoException;
  return new InputError(
    "unreachable",
    options.uri,
    `input ${options.uri}: ${url} broke off the transfer (${e.code ?? e.message})`,
    {
      cause: error,
    },
  );
}
