// Test support (not used by the agent): a scratch job directory and a shell job on the torch CPU image.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRuntimeImages } from "../../../runtimes/test/images.ts";
import { prepareOutputDir } from "./prepareOutputDir.ts";
import type { JobContainerOptions } from "./sandbox.ts";

export interface JobFiles {
  readonly root: string;
  /** A fresh job directory (spec.json, out/) and the options to run a shell script in it. */
  job(script: string, extra?: Partial<JobContainerOptions>): Promise<JobContainerOptions & { dir: string }>;
  dispose(): void;
}

/** The torch CPU image (runtimes/build.sh; cached after the first build) with a shell entry point. */
export async function createJobFiles(): Promise<JobFiles & { image: string }> {
  const { torch: image } = await buildRuntimeImages();
  const root = mkdtempSync(join(tmpdir(), "artha-cluster-"));
  let count = 0;
  return {
    root,
    image,
    async job(script, extra = {}) {
      const dir = join(root, `job-${++count}`);
      mkdirSync(join(dir, "out"), { recursive: true });
      writeFileSync(join(dir, "spec.json"), '{"kind":"train","seed":1,"runtime":{}}\n');
      await prepareOutputDir(join(dir, "out"));
      return {
        dir,
        image,
        specFile: join(dir, "spec.json"),
        outputDir: join(dir, "out"),
        entrypoint: ["/bin/sh", "-c"],
        cmd: [script],
        deadlineMs: Date.now() + 60_000,
        ...extra,
      };
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
