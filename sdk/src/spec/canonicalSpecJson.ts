// Canonical bytes for a spec, so two requesters (or the SDK and a script) that mean the same spec
// produce the same document and hence the same on-chain hash. The encoding is RFC 8785 (JCS): object
// keys sorted by UTF-16 code units, no whitespace, numbers and strings as ECMAScript's JSON.stringify
// writes them.
import type { JobSpec, JobSpecInput } from "./jobSpec.ts";
import { JobSpecError } from "./jobSpecError.ts";
import { validateJobSpec } from "./parseJobSpec.ts";

/**
 * The canonical JSON text of a spec. The spec is validated first and written with its defaults filled
 * in, so the document pins every limit it runs under even if a later SDK changes a default.
 * Throws JobSpecError for an invalid spec or a value JSON cannot carry (NaN, bigint, a function...).
 */
export function canonicalSpecJson(spec: JobSpecInput | JobSpec): string {
  return canonicalJson(validateJobSpec(spec), "spec");
}

function canonicalJson(value: unknown, path: string): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new JobSpecError(path, `${path}: ${value} has no JSON form; expected a finite number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => canonicalJson(item, `${path}[${i}]`)).join(",")}]`;
  }
  if (typeof value === "object" && isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    keys.sort();
    const members = keys.map(
      (k) =>
        `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], memberPath(path, k))}`,
    );
    return `{${members.join(",")}}`;
  }
  throw new JobSpecError(
    path,
    `${path}: a ${describeType(value)} has no JSON form; expected JSON values only`,
  );
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeType(value: unknown): string {
  if (typeof value === "object" && value !== null) return value.constructor?.name ?? "object";
  return typeof value;
}

function memberPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
