import type { Address } from "viem";
import { nodeRegistryAbi } from "../../abi/generated.ts";
import type { ArthaReadContext } from "../../client/context.ts";

/** The HTTP API of one node, as the SDK talks to it: every failure names the node and the URL. */
export type NodeApi = {
  operator: Address;
  /** The node's registered API URL, without a trailing slash. */
  url: string;
  /** GETs `path` (from the API root); throws when the node is unreachable or answers with an error. */
  get(
    path: string,
    what: string,
    init?: { headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<Response>;
};

/**
 * Opens the API of the node `operator` at the URL it registered in NodeRegistry. Throws when it registered
 * none (or one that is not http/https).
 */
export async function openNodeApi(
  ctx: ArthaReadContext,
  operator: Address,
  fetchFn: typeof fetch = globalThis.fetch,
): Promise<NodeApi> {
  const meta = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.nodeRegistry,
    abi: nodeRegistryAbi,
    functionName: "getNodeMeta",
    args: [operator],
  });
  const registered = meta.apiUrl.trim();
  if (!registered)
    throw new Error(`node ${operator} has no API URL in the node registry; ask its operator to set one`);
  let parsed: URL | undefined;
  try {
    parsed = new URL(registered);
  } catch {}
  if (parsed?.protocol !== "http:" && parsed?.protocol !== "https:") {
    throw new Error(
      `node ${operator} registered API URL ${JSON.stringify(registered)}, which is not an http(s) URL`,
    );
  }
  const url = registered.replace(/\/+$/, "");

  async function get(
    path: string,
    what: string,
    init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const target = `${url}${path}`;
    let res: Response;
    try {
      res = await fetchFn(target, { ...init, redirect: "error" });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new Error(`node ${operator} at ${url} is unreachable (GET ${target}: ${reason(error)})`, {
        cause: error,
      });
    }
    if (!res.ok) {
      throw new Error(
        `node ${operator} at ${url} refused ${what}: HTTP ${res.status}: ${await errorText(res)}`,
      );
    }
    return res;
  }
  return { operator, url, get };
}

/** The node's own explanation: the API answers `{ "error": "…" }`; anything else is shown cut short. */
async function errorText(res: Response): Promise<string> {
  const body = await res.text().catch(() => "");
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed?.error === "string") return parsed.error;
  } catch {}
  return body.trim().slice(0, 300) || res.statusText || "(no message)";
}

/** fetch's own message is "fetch failed"; the useful part (ECONNREFUSED, a timeout) is in its cause. */
function reason(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : String(e?.message ?? error);
}
