// What every handler shares: the event fields a row records its origin from, and JSON-safe values.
import type { Context as PonderContext } from "ponder:registry";
import { replaceBigInts } from "ponder";
import type { Hex } from "viem";

export type Context = PonderContext;

/** The parts of a Ponder event the handlers read besides its args. */
export type EventMeta = {
  id: string;
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex };
  log: { logIndex: number };
};

/** The block, time and transaction a row came from. */
export const originOf = (e: EventMeta) => ({
  block: e.block.number,
  timestamp: e.block.timestamp,
  tx: e.transaction.hash,
});

/** A value for a json column: bigints as decimal strings (JSON has no bigint). */
export const json = <T>(value: T) => replaceBigInts(value, (v) => v.toString());
