// A small strict XML reader for machine-written documents such as `nvidia-smi -q -x` (no XML library is
// a dependency). Elements, attributes, text, comments, CDATA, the five named entities and character
// references; a DOCTYPE is skipped but an internal subset (entity definitions) is refused.
import { HardwareError } from "./hardwareError.ts";

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text (not its children's), entities decoded, trimmed. */
  text: string;
  /** 1-based line of the start tag, for messages. */
  readonly line: number;
}

const NAME = "[A-Za-z_:][-A-Za-z0-9_:.]*";
const START_TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`, "y");
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, "g");
const END_TAG = new RegExp(`</(${NAME})\\s*>`, "y");
const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Parses `text` into its root element; `source` names the document in errors. */
export function parseXml(text: string, source: string): XmlElement {
  let at = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw new HardwareError("malformed-xml", `${source}: line ${line}: ${what}`);
  };
  const advance = (to: number) => {
    for (let i = at; i < to; i++) if (text.charCodeAt(i) === 10) line++;
    at = to;
  };
  const decode = (raw: string): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (all, ref: string | undefined) => {
      if (ref === undefined) return fail(`a bare "&" (expected an entity such as &amp;)`);
      if (ref.startsWith("#x")) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
      if (ref.startsWith("#")) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
      return NAMED[ref] ?? fail(`unknown entity ${all}`);
    });
  const skipTo = (end: string, what: string) => {
    const found = text.indexOf(end, at);
    if (found < 0) fail(`${what} is not closed (expected "${end}")`);
    const body = text.slice(at, found);
    advance(found + end.length);
    return body;
  };

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < text.length) {
    const top = stack.at(-1);
    if (text.startsWith("<?", at)) {
      if (root || top) fail("a processing instruction after the root element started");
      skipTo("?>", "a processing instruction");
    } else if (text.startsWith("<!--", at)) {
      skipTo("-->", "a comment");
    } else if (text.startsWith("<!DOCTYPE", at)) {
      if (root || top) fail("a DOCTYPE after the root element started");
      const body = skipTo(">", "the DOCTYPE");
      if (body.includes("[")) fail("a DOCTYPE with an internal subset (entity definitions are not accepted)");
    } else if (text.startsWith("<![CDATA[", at)) {
      if (!top) fail("CDATA outside the root element");
      top!.text += skipTo("]]>", "a CDATA section").slice("<![CDATA[".length);
    } else if (text.startsWith("</", at)) {
      END_TAG.lastIndex = at;
      const m =
        END_TAG.exec(text) ?? fail(`an unreadable end tag ${JSON.stringify(text.slice(at, at + 30))}`);
      if (!top) fail(`an end tag </${m[1]}> with no element open`);
      if (m[1] !== top!.name) fail(`expected </${top!.name}> (opened on line ${top!.line}), got </${m[1]}>`);
      top!.text = top!.text.trim();
      stack.pop();
      advance(END_TAG.lastIndex);
    } else if (text[at] === "<") {
      START_TAG.lastIndex = at;
      const m = START_TAG.exec(text) ?? fail(`an unreadable tag ${JSON.stringify(text.slice(at, at + 30))}`);
      if (root && !top) fail(`a second root element <${m[1]}> after </${root.name}>`);
      const attributes: Record<string, string> = {};
      for (const a of m[2]!.matchAll(ATTRIBUTE)) {
        if (a[1]! in attributes) fail(`attribute ${a[1]} given twice on <${m[1]}>`);
        attributes[a[1]!] = decode(a[2] ?? a[3] ?? "");
      }
      const element: XmlElement = { name: m[1]!, attributes, children: [], text: "", line };
      if (top) top.children.push(element);
      else root = element;
      if (m[3] !== "/") stack.push(element);
      advance(START_TAG.lastIndex);
    } else {
      const next = text.indexOf("<", at);
      const end = next < 0 ? text.length : next;
      const raw = text.slice(at, end);
      if (top) top.text += decode(raw);
      else if (raw.trim() !== "")
        fail(`text outside the root element: ${JSON.stringify(raw.trim().slice(0, 30))}`);
      advance(end);
    }
  }
  const open = stack.at(-1);
  if (open) fail(`the document ends inside <${open.name}> (opened on line ${open.line})`);
  return root ?? fail("no root element");
}
