// Reads the fields the agent uses from `nvidia-smi -q -x` (nvsmi_device_v12.dtd and its predecessors):
// per <gpu>, product_name, uuid, minor_number and fb_memory_usage/total; driver_version once.
import type { Gpu } from "./gpu.ts";
import { HardwareError } from "./hardwareError.ts";
import { parseXml, type XmlElement } from "./parseXml.ts";

export interface NvidiaSmiReport {
  readonly driverVersion: string;
  readonly cudaVersion?: string;
  readonly gpus: Gpu[];
}

const SOURCE = "nvidia-smi -q -x";

function unexpected(where: string, what: string): never {
  throw new HardwareError("unexpected-xml", `${SOURCE}: ${where}: ${what}`);
}

function child(parent: XmlElement, path: string, where: string): XmlElement {
  let at = parent;
  for (const name of path.split("/")) {
    const found = at.children.filter((c) => c.name === name);
    if (found.length !== 1) {
      unexpected(where, `expected one <${name}> in <${at.name}> (line ${at.line}), found ${found.length}`);
    }
    at = found[0]!;
  }
  return at;
}

function field(
  parent: XmlElement,
  path: string,
  where: string,
  pattern: RegExp,
  expected: string,
): RegExpExecArray {
  const text = child(parent, path, where).text;
  return (
    pattern.exec(text) ?? unexpected(where, `${path}: expected ${expected}, got ${JSON.stringify(text)}`)
  );
}

function readGpu(el: XmlElement, index: number, driverVersion: string): Gpu {
  const busId =
    el.attributes.id ?? unexpected(`<gpu> on line ${el.line}`, 'expected an id="<pci bus id>" attribute');
  const where = `gpu ${busId}`;
  const model = field(el, "product_name", where, /^\S.*$/, "a product name")[0];
  const uuid = field(el, "uuid", where, /^GPU-[0-9a-fA-F-]+$/, '"GPU-<hex>"')[0];
  // "N/A" on Windows, where there is no /dev/nvidiaN.
  const minor = field(el, "minor_number", where, /^(?:(\d+)|N\/A)$/, "an integer or N/A")[1];
  const total = field(el, "fb_memory_usage/total", where, /^(\d+) MiB$/, '"<integer> MiB"')[1]!;
  return {
    index,
    uuid,
    model,
    vramMb: Number(total),
    driverVersion,
    busId,
    ...(minor !== undefined ? { minorNumber: Number(minor) } : {}),
  };
}

/** Parses the report; a malformed document or a missing field is a HardwareError naming the GPU and field. */
export function parseNvidiaSmiXml(xml: string): NvidiaSmiReport {
  const root = parseXml(xml, SOURCE);
  if (root.name !== "nvidia_smi_log") unexpected("root", `expected <nvidia_smi_log>, got <${root.name}>`);
  const driverVersion = field(root, "driver_version", "nvidia_smi_log", /^\S+$/, "a version")[0];
  const cuda = root.children.find((c) => c.name === "cuda_version")?.text;
  const gpuElements = root.children.filter((c) => c.name === "gpu");
  const attached = field(root, "attached_gpus", "nvidia_smi_log", /^\d+$/, "an integer")[0];
  if (Number(attached) !== gpuElements.length) {
    unexpected(
      "nvidia_smi_log",
      `attached_gpus says ${attached} but the report has ${gpuElements.length} <gpu>`,
    );
  }
  return {
    driverVersion,
    ...(cuda ? { cudaVersion: cuda } : {}),
    gpus: gpuElements.map((el, i) => readGpu(el, i, driverVersion)),
  };
}
