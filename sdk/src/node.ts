// Node-only parts of the SDK (filesystem access); browser code imports "@arthaain/sdk" only.
export { readDeployment, readDeploymentFile } from "./deployments/readDeployment.ts";
export {
  type DirectoryOutputRoot,
  outputRootOfDirectory,
  readOutputEntries,
} from "./outputs/outputRoot.node.ts";
export {
  decryptKeystore,
  encryptKeystore,
  KeystoreError,
  type LoadPrivateKeyOptions,
  loadPrivateKey,
  writeKeystoreFile,
} from "./wallet/keystore.ts";
