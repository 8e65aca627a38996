// `npm run devnet -- down` must stop what the devnet started and nothing else: a recorded process is
// signalled only while it is the same process (pid and kernel start time).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { isRunning, processRecord, terminate } from "./devnetState.ts";

describe("devnet processes", () => {
  it("stops a recorded process, and never one whose start time differs (a reused pid)", async () => {
    const child = spawn("sleep", ["60"]);
    const sleeper = processRecord("sleeper", child.pid);
    expect(isRunning(sleeper)).toBe(true);

    const impostor = { ...sleeper, startTime: String(Number(sleeper.startTime) - 1) };
    expect(isRunning(impostor)).toBe(false);
    expect(await terminate([impostor], 1_000)).toEqual([]);
    expect(isRunning(sleeper)).toBe(true);

    expect(await terminate([sleeper], 5_000)).toEqual([sleeper]);
    expect(isRunning(sleeper)).toBe(false);
    expect(await exitSignal(child)).toBe("SIGTERM");
  });

  it("refuses to record a process that does not run", async () => {
    const child = spawn("true");
    await exitSignal(child);
    expect(() => processRecord("gone", child.pid)).toThrow("gone: the process is not running");
    expect(() => processRecord("never", undefined)).toThrow("never: the process is not running");
  });
});

/** The signal that ended `child` (null for a normal exit), once its exit has been seen. */
async function exitSignal(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  return child.signalCode;
}
