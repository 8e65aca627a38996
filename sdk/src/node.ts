// Node-only parts of the SDK (filesystem access); browser code imports "@arthaain/sdk" only.
export { readDeployment } from "./deployments/readDeployment.ts";
export {
  type DirectoryOutputRoot,
  outputRootOfDirectory,
  readOutputEntries,
} from "./outputs/outputRoot.node.ts";
