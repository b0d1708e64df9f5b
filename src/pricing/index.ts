export { costPer1M, invocationCost, monthlyCost, tieredDurationCost } from './cost.js';
export {
  FREE_TIER,
  hasRegionPrices,
  MANAGED_INSTANCES,
  PRICES_AS_OF,
  PRICES_SOURCE,
  pricesFor,
  REGION_PRICES,
} from './prices.js';
