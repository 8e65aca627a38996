// The JobSpec: schema, parsing, hashing and canonical encoding. Browser-safe (no Node APIs).
export { canonicalSpecJson } from "./canonicalSpecJson.ts";
export {
  defaultResources,
  type JobSpec,
  type JobSpecInput,
  type JobSpecKind,
  type JobSpecResources,
  type JobSpecVerification,
  jobSpecKinds,
  jobSpecSchema,
  MIN_MEMORY_MB,
  requestsNetwork,
} from "./jobSpec.ts";
export { JobSpecError } from "./jobSpecError.ts";
export { parseJobSpec, validateJobSpec } from "./parseJobSpec.ts";
export { specHash } from "./specHash.ts";
export {
  type EncodedSpec,
  encodeSpec,
  INLINE_SPEC_MAX_BYTES,
  type SpecStore,
  type StoredSpec,
  specFileName,
} from "./store/specStore.ts";
export { inlineSpecUri, storeEncodedSpec, storeSpec } from "./store/storeSpec.ts";
