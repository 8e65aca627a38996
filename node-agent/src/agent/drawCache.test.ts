import type { VerifierDraw } from "@arthaain/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDrawCache } from "./drawCache.ts";

// A fake chain: each read answers a new draw object for the job, so a reused read is the same object.
function fakeReads() {
  const reads: bigint[] = [];
  const read = async (jobId: bigint) => {
    reads.push(jobId);
    return { jobId, round: reads.length } as unknown as VerifierDraw;
  };
  return { reads, read };
}

describe("createDrawCache", () => {
  afterEach(() => vi.useRealTimers());

  it("shares one read per job until it is maxAgeMs old or forgotten", async () => {
    vi.useFakeTimers();
    const { reads, read } = fakeReads();
    const draws = createDrawCache(read, { maxAgeMs: 1000 });
    const first = await draws.get(1n);
    expect(await draws.get(1n)).toBe(first);
    await draws.get(2n);
    expect(reads).toEqual([1n, 2n]);
    vi.advanceTimersByTime(1000);
    expect(await draws.get(1n)).not.toBe(first);
    draws.forget(2n);
    await draws.get(2n);
    expect(reads).toEqual([1n, 2n, 1n, 2n]);
  });

  it("keeps at most maxJobs jobs, dropping the oldest read", async () => {
    const { reads, read } = fakeReads();
    const draws = createDrawCache(read, { maxJobs: 2 });
    await draws.get(1n);
    await draws.get(2n);
    await draws.get(3n); // drops job 1
    await draws.get(2n);
    await draws.get(1n);
    expect(reads).toEqual([1n, 2n, 3n, 1n]);
  });

  it("does not keep a failed read", async () => {
    let fail = true;
    const draws = createDrawCache(async () => {
      if (fail) throw new Error("rpc down");
      return undefined;
    });
    await expect(draws.get(1n)).rejects.toThrow("rpc down");
    fail = false;
    expect(await draws.get(1n)).toBeUndefined();
  });
});
