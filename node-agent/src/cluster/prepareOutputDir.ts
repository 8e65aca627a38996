// The job runs as uid 10001 with a read-only root: /artha/out is the one place it writes, so the host
// directory bound there must be writable for that uid (docs/runtime-contract.md, "The job user").
import { chmod, chown } from "node:fs/promises";
import { JOB_GID, JOB_UID } from "./sandbox.ts";

/** Makes `dir` writable for the job user: owned by it when we may chown, else world-writable. */
export async function prepareOutputDir(dir: string): Promise<void> {
  try {
    await chown(dir, JOB_UID, JOB_GID);
    await chmod(dir, 0o755);
  } catch {
    await chmod(dir, 0o777);
  }
}
