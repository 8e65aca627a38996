import {
  type Address,
  encodeAbiParameters,
  type Hex,
  isAddressEqual,
  keccak256,
  type PublicClient,
  parseAbi,
  parseAbiParameters,
  zeroAddress,
} from "viem";
import { nodeRegistryAbi, proofOfComputeAbi } from "../../abi/generated.ts";

export type GetVerifierDrawParameters = {
  proofOfCompute: Address;
  nodeRegistry: Address;
  jobId: bigint;
  /** Stop after this many distinct verifiers. Default: all of the round's 2k places. */
  max?: number;
};

/** One drawn verifier: its address and the place (`index`) it commits with. */
export type DrawnVerifier = { address: Address; index: bigint };

/** The verifier draw of a job's open dispute, as the contract computes it (docs/verification.md, step 4). */
export type VerifierDraw = {
  jobId: bigint;
  /** The block every value was read at. */
  blockNumber: bigint;
  round: number;
  worker: Address;
  /** Zero for an audit; the challenger otherwise. */
  challenger: Address;
  /**
   * The round's seed: fixed on-chain, or computed from its block's hash as the contract will fix it; null
   * while the seed block is not mined yet or once its hash is no longer available (see `seedStatus`).
   */
  seed: bigint | null;
  /** "fixed": on-chain; "computed": from the seed block's hash; "pending": the block is not mined yet;
   * "unavailable": its hash is gone (256 blocks), so `drawVerifiers` must move the draw to a new block. */
  seedStatus: "fixed" | "computed" | "pending" | "unavailable";
  /** The block whose seed decides the draw. */
  seedBlock: bigint;
  openedAt: bigint;
  /** Verifiers commit before this time (seconds). */
  commitEnd: bigint;
  /** Reveals close at this time (seconds); they open at `commitEnd` or once `k` verifiers committed. */
  revealEnd: bigint;
  /** Live votes of the round: revealed ones plus commitments still to reveal. */
  commits: number;
  agree: number;
  disagree: number;
  /** Verifiers per dispute (k); the majority is k / 2 + 1. */
  k: number;
  /**
   * The round's distinct drawn verifiers, in draw order, never the worker or the challenger; empty while
   * `seed` is null.
   */
  verifiers: DrawnVerifier[];
};

const seedSourceAbi = parseAbi(["function seedOf(uint256 blockNumber) view returns (bytes32)"]);
/** Block hashes the EVM serves: blockhash(n) is zero unless n is one of the 256 blocks before the current. */
const BLOCKHASH_WINDOW = 256n;
const UINT64 = (1n << 64n) - 1n;

/** The contract's `_seed64`: the low 64 bits, never zero (zero marks a seed not fixed yet). */
export function seed64(word: Hex): bigint {
  return BigInt(word) & UINT64 || 1n;
}

/** The seed of round `round` of `jobId`'s dispute from the seed block's hash (the contract's `_fixSeed`). */
export function roundSeed(blockSeed: Hex, jobId: bigint, round: number): bigint {
  return seed64(
    keccak256(encodeAbiParameters(parseAbiParameters("bytes32, uint64, uint8"), [blockSeed, jobId, round])),
  );
}

/** The random word of place `index` of a round's draw: keccak256(seed, round, index). */
export function drawWord(seed: bigint, round: number, index: bigint): bigint {
  return BigInt(
    keccak256(encodeAbiParameters(parseAbiParameters("uint64, uint8, uint256"), [seed, round, index])),
  );
}

/**
 * The active-set positions of a round's first `places` places (the contract's `_shuffled`): a seeded partial
 * Fisher-Yates shuffle, so the places name distinct nodes. Place i swaps slot i with slot
 * i + drawWord(seed, round, i) mod (active - i); only min(places, active) places exist.
 */
export function drawPositions(seed: bigint, round: number, places: number, active: bigint): bigint[] {
  const moved = new Map<bigint, bigint>(); // slot -> the position it holds, for slots swapped so far
  const positions: bigint[] = [];
  for (let i = 0n; i < BigInt(places) && i < active; i++) {
    const j = i + (drawWord(seed, round, i) % (active - i));
    positions.push(moved.get(j) ?? j);
    moved.set(j, moved.get(i) ?? i);
  }
  return positions;
}

/**
 * The verifiers of `jobId`'s open dispute, computed off-chain exactly as ProofOfCompute draws them: places
 * `i < 2k` of round `r` are distinct active nodes, a shuffle of the active set by the seed (`drawPositions`), the
 * worker and the challenger skipped. While the round's seed is not fixed on-chain it is computed from its block's hash, which is what a
 * verifier needs to know it was drawn before it commits (its commit fixes the seed). Every value is read at
 * one block. Undefined when the job has no open dispute.
 */
export async function getVerifierDraw(
  client: PublicClient,
  { proofOfCompute, nodeRegistry, jobId, max }: GetVerifierDrawParameters,
): Promise<VerifierDraw | undefined> {
  const blockNumber = await client.getBlockNumber();
  const poc = { address: proofOfCompute, abi: proofOfComputeAbi, blockNumber } as const;
  const [[dispute, draw], k, revealWindow, source] = await Promise.all([
    client.readContract({ ...poc, functionName: "disputeOf", args: [jobId] }),
    client.readContract({ ...poc, functionName: "verifiers" }),
    client.readContract({ ...poc, functionName: "revealWindow" }),
    client.readContract({ ...poc, functionName: "seedSource" }),
  ]);
  if (dispute.openedAt === 0) return undefined;
  const seedBlock = BigInt(draw.seedBlock);
  let seed: bigint | null = draw.seed === 0n ? null : draw.seed;
  let seedStatus: VerifierDraw["seedStatus"] = seed === null ? "pending" : "fixed";
  if (seed === null && blockNumber >= seedBlock) {
    // A transaction in the next block sees blockhash(seedBlock) only while seedBlock is among its last 256.
    let blockSeed: Hex | undefined;
    if (!isAddressEqual(source, zeroAddress)) {
      blockSeed = await client.readContract({
        address: source,
        abi: seedSourceAbi,
        functionName: "seedOf",
        args: [seedBlock],
        blockNumber,
      });
    } else if (blockNumber + 1n - seedBlock <= BLOCKHASH_WINDOW) {
      blockSeed = (await client.getBlock({ blockNumber: seedBlock })).hash;
    }
    if (blockSeed && BigInt(blockSeed) !== 0n) {
      seed = roundSeed(blockSeed, jobId, dispute.round);
      seedStatus = "computed";
    } else {
      seedStatus = "unavailable";
    }
  }
  const verifiers: DrawnVerifier[] = [];
  if (seed !== null) {
    const n = await client.readContract({
      address: nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "activeCount",
      blockNumber,
    });
    const limit = max ?? 2 * k;
    // At most 2k places: read concurrently rather than one round trip after another.
    const addresses = await Promise.all(
      drawPositions(seed, dispute.round, 2 * k, n).map((position) =>
        client.readContract({
          address: nodeRegistry,
          abi: nodeRegistryAbi,
          functionName: "activeAt",
          args: [position],
          blockNumber,
        }),
      ),
    );
    for (const [i, address] of addresses.entries()) {
      // The worker and the challenger never verify their own dispute (ProofOfCompute.commit).
      const taken = isAddressEqual(address, draw.worker) || isAddressEqual(address, dispute.challenger);
      if (!taken && verifiers.length < limit) verifiers.push({ address, index: BigInt(i) });
    }
  }
  return {
    jobId,
    blockNumber,
    round: dispute.round,
    worker: draw.worker,
    challenger: dispute.challenger,
    seed,
    seedStatus,
    seedBlock,
    openedAt: BigInt(dispute.openedAt),
    commitEnd: BigInt(dispute.commitEnd),
    revealEnd: BigInt(dispute.commitEnd) + BigInt(revealWindow),
    commits: dispute.commits,
    agree: dispute.agree,
    disagree: dispute.disagree,
    k,
    verifiers,
  };
}
