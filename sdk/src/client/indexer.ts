// Reading lists from an indexer (ctx.indexerUrl, the ArthaAIN indexer's REST API, docs/indexer.md) instead of
// scanning events: every page of a list route, or one object, with errors that name the URL and, for a
// refused request, the parameter.
import type { ArthaReadContext } from "./context.ts";

/** The indexer refused or failed a request; `parameter` names the query parameter it objected to. */
export class IndexerError extends Error {
  override readonly name = "IndexerError";
  readonly status: number | undefined;
  readonly parameter: string | undefined;
  constructor(message: string, status?: number, parameter?: string) {
    super(message);
    this.status = status;
    this.parameter = parameter;
  }
}

const PAGE = 100;

/** GET `path` from the indexer as JSON; undefined for a 404 when `allowMissing`. */
export async function indexerGet<T>(
  ctx: ArthaReadContext,
  path: string,
  o: { allowMissing?: boolean } = {},
): Promise<T | undefined> {
  const base = ctx.indexerUrl!.replace(/\/+$/, "");
  const url = `${base}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new IndexerError(`cannot reach the indexer at ${base}: ${cause}`);
  }
  if (res.status === 404 && o.allowMissing) return undefined;
  const text = await res.text();
  if (!res.ok) {
    let body: { message?: string; parameter?: string } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not the indexer's JSON error: say what came back.
    }
    throw new IndexerError(
      `the indexer at ${base} answered ${res.status} to GET ${path}: ${body.message ?? text.slice(0, 200)}`,
      res.status,
      body.parameter,
    );
  }
  return JSON.parse(text) as T;
}

/** Every item of a list route, page after page, in the route's order. */
export async function* indexerList<T>(
  ctx: ArthaReadContext,
  path: string,
  query: Record<string, string | number | boolean | bigint | undefined> = {},
): AsyncGenerator<T, void> {
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    params.set("limit", String(PAGE));
    if (cursor !== null) params.set("cursor", cursor);
    const page: { items: T[]; nextCursor: string | null } | undefined = await indexerGet(
      ctx,
      `${path}?${params}`,
    );
    for (const item of page!.items) yield item;
    cursor = page!.nextCursor;
  } while (cursor !== null);
}

/** Everything `indexerList` yields, as an array. */
export async function indexerListAll<T>(
  ctx: ArthaReadContext,
  path: string,
  query: Parameters<typeof indexerList>[2] = {},
): Promise<T[]> {
  const out: T[] = [];
  for await (const item of indexerList<T>(ctx, path, query)) out.push(item);
  return out;
}
