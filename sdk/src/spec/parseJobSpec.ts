// Reading a spec document: bytes → JSON → JobSpec, with errors that name the JSON path, what was
// expected and what was found (`spec.resources.memoryMb: expected an integer >= 64, got "big"`), the
// same shape as the runtimes' own messages, so a requester can fix the document from the message alone.
import type { z } from "zod";
import { type JobSpec, jobSpecSchema } from "./jobSpec.ts";
import { JobSpecError } from "./jobSpecError.ts";

// fatal: a byte sequence that is not UTF-8 is refused, not replaced (the runtime would refuse it too).
// ignoreBOM: keep a BOM so it is reported instead of silently dropped (Python's json refuses one).
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses a spec document (its bytes as fetched, or its text) into a JobSpec with defaults filled in.
 * Throws JobSpecError naming the JSON path and what was expected.
 */
export function parseJobSpec(document: Uint8Array | string): JobSpec {
  let text: string;
  if (typeof document === "string") {
    text = document;
  } else {
    try {
      text = strictUtf8.decode(document);
    } catch {
      throw new JobSpecError("spec", "spec: is not valid UTF-8; expected a UTF-8 JSON document");
    }
  }
  if (text.startsWith("\uFEFF")) {
    throw new JobSpecError(
      "spec",
      "spec: starts with a byte order mark; expected plain UTF-8 JSON without one",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JobSpecError("spec", `spec: is not valid JSON (${(error as Error).message})`);
  }
  return validateJobSpec(value);
}

/** Checks an already-decoded value (an object built in code) as a JobSpec; same errors as parseJobSpec. */
export function validateJobSpec(value: unknown): JobSpec {
  const parsed = jobSpecSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  const issue = first!;
  const path = jsonPath(issue.path);
  const found = valueAt(value, issue.path);
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
  const what = found.present ? `${issue.message}, got ${describe(found.value)}` : `missing; ${issue.message}`;
  throw new JobSpecError(path, `${path}: ${what}${more}`);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function jsonPath(path: readonly PropertyKey[]): string {
  let out = "spec";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(root: unknown, path: z.core.$ZodIssue["path"]): { present: boolean; value?: unknown } {
  let at: unknown = root;
  for (const key of path) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key as PropertyKey))
      return { present: false };
    at = (at as Record<PropertyKey, unknown>)[key as PropertyKey];
  }
  return { present: at !== undefined, value: at };
}

function describe(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
