// Inputs of a job: its spec (checked against specHash) and its model and dataset (checked against their
// on-chain content hash, a tree root: see fetchInput.ts).
export { type FetchInputParameters, type FetchInputResult, fetchInput } from "./fetchInput.ts";
export { type FetchSpecParameters, fetchSpec } from "./fetchSpec.ts";
export { InputError, type InputErrorCode } from "./inputError.ts";
