// Node-only parts of the SDK (filesystem access); browser code imports "@arthaain/sdk" only.

export {
  artifactPath,
  type SavedJobArtifacts,
  type SaveJobArtifactsParameters,
  saveJobArtifacts,
} from "./actions/jobs/saveJobArtifacts.node.ts";
export { readDeployment, readDeploymentFile } from "./deployments/readDeployment.ts";
export {
  type DirectoryOutputRoot,
  outputRootOfDirectory,
  readOutputEntries,
} from "./outputs/outputRoot.node.ts";
export {
  storeEncodedSpecInDirectory,
  storeSpecInDirectory,
} from "./spec/store/storeSpecInDirectory.node.ts";
export {
  decryptKeystore,
  encryptKeystore,
  KeystoreError,
  type LoadPrivateKeyOptions,
  loadPrivateKey,
  writeKeystoreFile,
} from "./wallet/keystore.ts";
