// NodeRegistry capabilities carry one GPU model and one VRAM figure per GPU; derive them from the list.
import { type Gpu, type Hardware, vramGbOf } from "./gpu.ts";

/** Adds gpuModel (most common; on a tie, the lowest index's) and vramGbPerGpu (smallest GPU, nearest GiB). */
export function summarizeHardware(input: {
  cpuCores: number;
  ramMb: number;
  gpus: readonly Gpu[];
}): Hardware {
  const counts = new Map<string, number>();
  for (const g of input.gpus) counts.set(g.model, (counts.get(g.model) ?? 0) + 1);
  let gpuModel = "";
  for (const [model, n] of counts) if (n > (counts.get(gpuModel) ?? 0)) gpuModel = model;
  const minVramMb = input.gpus.length ? Math.min(...input.gpus.map((g) => g.vramMb)) : 0;
  return {
    cpuCores: input.cpuCores,
    ramMb: input.ramMb,
    gpus: input.gpus,
    gpuModel,
    vramGbPerGpu: vramGbOf(minVramMb),
  };
}
