// GPU, CPU and RAM detection (nvidia-smi's XML report, systeminformation), for registration, evaluation and pricing.
export {
  type DetectHardwareOptions,
  detectHardware,
  type SystemInformationSource,
  type WarnLog,
} from "./detectHardware.ts";
export { type Gpu, type Hardware, vramGbOf } from "./gpu.ts";
export { gpusFromSystemInformation } from "./gpusFromSystemInformation.ts";
export { HardwareError, type HardwareErrorCode } from "./hardwareError.ts";
export { type NvidiaSmiReport, parseNvidiaSmiXml } from "./parseNvidiaSmiXml.ts";
export { parseXml, type XmlElement } from "./parseXml.ts";
export { runNvidiaSmi } from "./runNvidiaSmi.ts";
export { summarizeHardware } from "./summarizeHardware.ts";
