// How arthai shows things to a person: aligned tables, durations, times and trees (token amounts: the SDK's
// tokenUnits). JSON output (--json) bypasses all of this except `toJson`, which writes bigints as strings.
/** JSON with bigints as decimal strings (what every --json output is). */
export function toJson(data: unknown): string {
  return JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** Seconds as a person reads them: "45s", "2m 5s", "3h 10m", "2d 4h". */
export function duration(seconds: number | bigint): string {
  let s = Math.max(0, Math.round(Number(seconds)));
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.slice(0, 2).join(" ");
}

/** A unix time as ISO 8601 UTC, with how far it is from now: "2026-01-02T03:04:05Z (in 5m)". */
export function when(unixSeconds: number | bigint, nowSeconds = Date.now() / 1000): string {
  const t = Number(unixSeconds);
  if (t === 0) return "-";
  const iso = new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const delta = t - nowSeconds;
  return `${iso} (${delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`})`;
}

/** 0x1234…cdef: enough of a hash or address to tell it apart in a table. */
export function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}

/** Rows under a header, columns padded to their widest cell; "(none)" for no rows. */
export function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return "(none)";
  const cells = [header, ...rows.map((r) => r.map((c) => (c === undefined || c === null ? "-" : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `label: value` lines, labels aligned; undefined values are left out. */
export function fields(pairs: readonly (readonly [string, unknown])[]): string {
  const shown = pairs.filter(([, v]) => v !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 1;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)} ${String(v)}`).join("\n");
}

export type TreeNode = { label: string; children: TreeNode[] };

/** A tree drawn with box characters, the root on the first line. */
export function tree(root: TreeNode): string {
  const lines = [root.label];
  const walk = (node: TreeNode, prefix: string) => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${child.label}`);
      walk(child, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(root, "");
  return lines.join("\n");
}

/** A size in bytes as a person reads it: "812 B", "4.0 kB", "1.5 GB" (powers of 1000). */
export function bytes(n: number | bigint): string {
  let v = Number(n);
  if (v < 1000) return `${v} B`;
  for (const unit of ["kB", "MB", "GB", "TB"]) {
    v /= 1000;
    if (v < 1000 || unit === "TB") return `${v.toFixed(1)} ${unit}`;
  }
  return `${v} B`;
}
