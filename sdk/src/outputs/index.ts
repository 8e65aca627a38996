// Browser-safe exports only. The directory walker (Node) is in ./outputRoot.node.ts; import it from
// there so that bundles for the browser never pull in node:fs.
export {
  assertOutputPath,
  compareBytes,
  type OutputEntry,
  OutputRootError,
  type OutputRootErrorCode,
  outputEntryOf,
  outputManifest,
  outputRoot,
  outputRootOfManifest,
} from "./outputRoot.ts";
