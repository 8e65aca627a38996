// Builds (or finds) the CPU runtime images with runtimes/build.sh and returns their ids.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const BUILD_SCRIPT = fileURLToPath(new URL("../build.sh", import.meta.url));

export interface RuntimeImages {
  readonly torch: string;
  readonly agent: string;
  /** What build.sh reported on stderr: what it built or found, timings and sizes. */
  readonly log: string;
}

/** Runs build.sh for both images; it skips whatever already exists (a cold build takes minutes). */
export async function buildRuntimeImages(): Promise<RuntimeImages> {
  const { stdout, stderr } = await run("bash", [BUILD_SCRIPT, "torch", "agent"], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  const ids = stdout.trim().split("\n");
  const [torch, agent] = ids;
  if (ids.length !== 2 || !torch?.startsWith("sha256:") || !agent?.startsWith("sha256:")) {
    throw new Error(`runtimes/build.sh printed ${JSON.stringify(stdout)}; expected two image ids (sha256:…)`);
  }
  return { torch, agent, log: stderr };
}
