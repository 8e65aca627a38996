// Whether to bid: resources, certification and the operator's policy.

export { vramGbOf } from "../hardware/gpu.ts";
export {
  type EvaluateCode,
  type EvaluatedJob,
  type EvaluateJobInput,
  type EvaluatePolicy,
  type EvaluateResult,
  evaluateJob,
  type HardwareCapacity,
  type HardwareGpu,
  type NodeStatus,
  type RegistryEntry,
  type Reservation,
} from "./evaluateJob.ts";
