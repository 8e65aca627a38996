// JSON out: bigints as decimal strings (JSON has no bigint), as every ArthaAIN --json output writes them.
// One JSON.stringify with a replacer: a route answering hundreds of times a second should not copy its rows
// first (replaceBigInts did, and was the top cost of /jobs/:id after the query).
import type { Context } from "hono";

const bigintsAsStrings = (_key: string, value: unknown) =>
  typeof value === "bigint" ? value.toString() : value;

export const send = (c: Context, value: unknown) =>
  c.body(JSON.stringify(value, bigintsAsStrings), 200, { "content-type": "application/json" });
