// The fallback when nvidia-smi's XML cannot be had: systeminformation's graphics controllers. It merges
// nvidia-smi's CSV query (memoryTotal, name, driverVersion) when that works; without it, lspci alone
// gives a "vram" that is the largest PCI BAR (128 GiB on an A100), not the framebuffer, so only
// memoryTotal is believed.
import type { Systeminformation } from "systeminformation";
import type { Gpu } from "./gpu.ts";

export function gpusFromSystemInformation(graphics: Systeminformation.GraphicsData): Gpu[] {
  return graphics.controllers
    .filter((c) => /nvidia/i.test(c.vendor ?? "") || /^0x10de$/i.test(c.vendorId ?? ""))
    .map((c, index) => ({
      index,
      uuid: "",
      model: c.name || c.model,
      vramMb: c.memoryTotal ?? 0,
      ...(c.driverVersion ? { driverVersion: c.driverVersion } : {}),
      ...(c.pciBus ? { busId: c.pciBus } : {}),
    }));
}
