// Node-only parts of the SDK (filesystem access); browser code imports "@arthaain/sdk" only.
export { readDeployment } from "./deployments/readDeployment.ts";
