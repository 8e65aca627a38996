// A directory input's manifest as served over HTTP: exactly the output-root manifest format
// (docs/runtime-contract.md §7), so its sha256 is the tree root. It is parsed only after its root matched
// the on-chain content hash; parsing then refuses a committed manifest that is not canonical.
import { type OutputEntry, type OutputRootError, outputManifest } from "@arthaain/sdk";
import { InputError } from "./inputError.ts";

const LINE = /^([0-9a-f]{64}) (0|[1-9][0-9]*) (.+)$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The entries of a manifest; throws InputError manifest-invalid naming the line that is wrong. */
export function parseManifest(bytes: Uint8Array, uri: string): OutputEntry[] {
  const fail = (why: string, cause?: unknown): never => {
    throw new InputError("manifest-invalid", uri, `input ${uri}: manifest ${why}`, { cause });
  };
  let text = "";
  try {
    text = strictUtf8.decode(bytes);
  } catch (error) {
    fail("is not valid UTF-8", error);
  }
  if (text === "") fail("is empty; expected one line per file");
  if (!text.endsWith("\n")) fail("does not end with a line feed");
  const entries: OutputEntry[] = [];
  const lines = text.slice(0, -1).split("\n");
  for (const [i, line] of lines.entries()) {
    const m = LINE.exec(line);
    if (!m)
      fail(`line ${i + 1} ${JSON.stringify(line.slice(0, 100))}: expected "<sha256 hex> <size> <path>"`);
    const size = Number(m![2]);
    if (!Number.isSafeInteger(size)) fail(`line ${i + 1}: size ${m![2]} is too large`);
    entries.push({ sha256: m![1]!, size, path: m![3]! });
  }
  let canonical = "";
  try {
    canonical = outputManifest(entries);
  } catch (error) {
    fail((error as OutputRootError).message, error);
  }
  // Same entries, other bytes (order, line endings): the manifest would not be the one its root names.
  if (canonical !== text) fail("is not canonical (lines must be sorted by the UTF-8 bytes of their paths)");
  return entries;
}
