/**
 * What the market layer logs through: the subset of pino's API it uses, so the agent passes its pino
 * logger as is and tests pass nothing.
 */
export type MarketLogger = {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
};

export const silentMarketLogger: MarketLogger = { info() {}, warn() {}, debug() {} };
