// Runs `nvidia-smi -q -x`. A host without the NVIDIA driver has no nvidia-smi: that is "no GPUs", not an
// error. One that has it but where it fails is worth a warning with nvidia-smi's own words.
import { execFile } from "node:child_process";
import { HardwareError } from "./hardwareError.ts";

/** The XML report, or undefined when nvidia-smi is not installed. */
export function runNvidiaSmi(command = "nvidia-smi", timeoutMs = 30_000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      ["-q", "-x"],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 ** 2 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (e.code === "ENOENT") return resolve(undefined);
        // nvidia-smi prints most of its failures ("couldn't communicate with the NVIDIA driver") on stdout.
        const said = (stderr.trim() || stdout.trim() || e.message).split("\n").slice(0, 5).join(" / ");
        const how = e.killed
          ? `killed after ${timeoutMs} ms`
          : e.signal
            ? `killed by ${e.signal}`
            : `exit code ${e.code}`;
        reject(
          new HardwareError("nvidia-smi-failed", `${command} -q -x failed (${how}): ${said}`, {
            cause: error,
          }),
        );
      },
    );
  });
}
