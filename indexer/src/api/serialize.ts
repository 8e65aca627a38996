// JSON out: bigints as decimal strings (JSON has no bigint), as every ArthaAIN --json output writes them.
import type { Context } from "hono";
import { replaceBigInts } from "ponder";

export const send = (c: Context, value: unknown) =>
  c.json(replaceBigInts(value, (v) => v.toString()) as object);
