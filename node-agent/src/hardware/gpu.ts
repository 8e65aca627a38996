// What the agent knows about one GPU and about the host; shared by the nvidia-smi and systeminformation readers.

export interface Gpu {
  /** NVML index: the position in nvidia-smi's list, what `--gpus device=<index>` means. */
  readonly index: number;
  /** `GPU-…`; empty when only systeminformation answered (it does not report uuids). */
  readonly uuid: string;
  /** The product name, e.g. "NVIDIA H100 80GB HBM3". */
  readonly model: string;
  /** Total framebuffer memory, MiB (nvidia-smi's fb_memory_usage/total). */
  readonly vramMb: number;
  readonly driverVersion?: string;
  /** PCI bus id, e.g. "00000000:07:00.0". */
  readonly busId?: string;
  /** The N of /dev/nvidiaN; may differ from `index`. */
  readonly minorNumber?: number;
}

export interface Hardware {
  /** Logical CPUs (what a container's NanoCpus are counted in). */
  readonly cpuCores: number;
  readonly ramMb: number;
  readonly gpus: readonly Gpu[];
  /** The most common GPU model, or "" without GPUs (NodeRegistry capabilities carry one model). */
  readonly gpuModel: string;
  /** The smallest GPU's memory in whole GiB, rounded down (what every GPU can promise), or 0. */
  readonly vramGbPerGpu: number;
}

/**
 * A GPU's VRAM in the whole GB a job's `minVramGb` and NodeRegistry's `vramGbPerGpu` mean: nvidia-smi
 * reports usable MiB, a little under the marketed size (a "24 GB" RTX 4090 reports 24564 MiB, an
 * "80 GB" H100 81559 MiB), so round to the nearest GiB.
 */
export function vramGbOf(vramMb: number): number {
  return Math.round(vramMb / 1024);
}
