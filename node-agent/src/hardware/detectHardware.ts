// What this host offers: CPUs and RAM from systeminformation; GPUs from nvidia-smi's XML report when it
// answers, else from systeminformation's graphics controllers (with a warning); none without nvidia-smi.
import si, { type Systeminformation } from "systeminformation";
import type { Hardware } from "./gpu.ts";
import { gpusFromSystemInformation } from "./gpusFromSystemInformation.ts";
import { parseNvidiaSmiXml } from "./parseNvidiaSmiXml.ts";
import { runNvidiaSmi } from "./runNvidiaSmi.ts";
import { summarizeHardware } from "./summarizeHardware.ts";

/** The part of systeminformation used here (tests pass recorded results). */
export interface SystemInformationSource {
  graphics(): Promise<Systeminformation.GraphicsData>;
  cpu(): Promise<Systeminformation.CpuData>;
  mem(): Promise<Systeminformation.MemData>;
}

/** Where warnings go (a pino logger fits). */
export interface WarnLog {
  warn(details: object, message: string): void;
}

export interface DetectHardwareOptions {
  /** `nvidia-smi -q -x` output, undefined when nvidia-smi is not installed; throws when it fails. */
  readonly nvidiaSmi?: () => Promise<string | undefined>;
  readonly si?: SystemInformationSource;
  readonly log?: WarnLog;
}

export async function detectHardware(opts: DetectHardwareOptions = {}): Promise<Hardware> {
  const source = opts.si ?? si;
  const nvidiaSmi = opts.nvidiaSmi ?? (() => runNvidiaSmi());
  const [cpu, mem] = await Promise.all([source.cpu(), source.mem()]);
  const cpuCores = cpu.cores || cpu.physicalCores;
  const ramMb = Math.floor(mem.total / 1024 ** 2);

  let fallback: string | undefined;
  let xml: string | undefined;
  try {
    xml = await nvidiaSmi();
  } catch (error) {
    fallback = (error as Error).message;
  }
  if (xml !== undefined) {
    try {
      return summarizeHardware({ cpuCores, ramMb, gpus: parseNvidiaSmiXml(xml).gpus });
    } catch (error) {
      fallback = (error as Error).message;
    }
  }
  if (fallback === undefined) return summarizeHardware({ cpuCores, ramMb, gpus: [] });

  const gpus = await source.graphics().then(
    (graphics) => gpusFromSystemInformation(graphics),
    (error: Error) => {
      opts.log?.warn(
        { error: error.message },
        "systeminformation could not list graphics controllers either",
      );
      return [];
    },
  );
  opts.log?.warn(
    { nvidiaSmi: fallback, gpus: gpus.length },
    "nvidia-smi did not give a usable report; GPUs taken from systeminformation (no uuids, VRAM only when known)",
  );
  return summarizeHardware({ cpuCores, ramMb, gpus });
}
