// Query and path parameters, checked: an unknown parameter, a malformed value or a page size over the
// limit is a 400 naming the parameter and what was expected; nothing is guessed.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { getAddress, isAddress } from "viem";
import { z } from "zod";

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

/** A 400 whose body says which parameter was wrong and why. */
export function badRequest(parameter: string, message: string): never {
  throw new HTTPException(400, {
    res: Response.json({ error: "bad request", parameter, message }, { status: 400 }),
  });
}

/** A 404 naming what does not exist. */
export function notFound(message: string): never {
  throw new HTTPException(404, { res: Response.json({ error: "not found", message }, { status: 404 }) });
}

const uint = (what: string, max: bigint) =>
  z
    .string()
    .regex(/^\d{1,78}$/, `expected ${what}, a whole number`)
    .transform((v) => BigInt(v))
    .refine((v) => v <= max, `expected ${what} at most ${max}`);

export const id32 = (what: string) => uint(what, 2n ** 32n - 1n);
export const id64 = (what: string) => uint(what, 2n ** 64n - 1n);
export const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "expected an address, 0x and 40 hex digits")
  .transform((v) => getAddress(v).toLowerCase() as `0x${string}`);
export const bool = z
  .enum(["true", "false"], { error: 'expected "true" or "false"' })
  .transform((v) => v === "true");
export const limit = z
  .string()
  .regex(/^\d+$/, "expected a whole number")
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_PAGE, `expected a page size from 1 to ${MAX_PAGE}`)
  .optional();

/** The request's query parameters, each known and well-formed, or a 400. */
export function parseQuery<S extends z.ZodRawShape>(c: Context, shape: S): z.infer<z.ZodObject<S>> {
  const raw = c.req.queries();
  const flat: Record<string, string> = {};
  for (const [k, values] of Object.entries(raw)) {
    if (!(k in shape)) {
      badRequest(k, `unknown parameter; known: ${Object.keys(shape).join(", ") || "none"}`);
    }
    if (values.length > 1) badRequest(k, "given more than once");
    flat[k] = values[0]!;
  }
  const parsed = z.object(shape).safeParse(flat);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    badRequest(String(issue.path[0] ?? "query"), issue.message);
  }
  return parsed.data;
}

/** A path parameter through `schema`, or a 400 naming it. */
export function parsePath<T>(c: Context, name: string, schema: z.ZodType<T, string>): T {
  const parsed = schema.safeParse(c.req.param(name));
  if (!parsed.success) badRequest(name, parsed.error.issues[0]!.message);
  return parsed.data;
}

/** A page of rows and the cursor of the next one (null on the last page). */
export function page<T>(rows: T[], size: number, cursorOf: (row: T) => bigint | string) {
  const items = rows.slice(0, size);
  const nextCursor = rows.length > size ? String(cursorOf(items.at(-1)!)) : null;
  return { items, nextCursor };
}
