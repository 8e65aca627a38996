// Pricing strategies: a per-GPU-hour table, or the operator's script.
export { createPricing, type PricingConfig, pricingFromConfig, toBaseUnits } from "./createPricing.ts";
export {
  PricingError,
  type PricingErrorCode,
  type PricingInput,
  type PricingQuote,
  type PricingStrategy,
} from "./pricingStrategy.ts";
export { type ScriptPricingParameters, scriptPricing } from "./scriptPricing.ts";
export { type TablePricingParameters, tablePricing } from "./tablePricing.ts";
