export { costPer1M, invocationCost, monthlyCost } from './cost.js';
export { FREE_TIER, hasRegionPrices, pricesFor, REGION_PRICES } from './prices.js';
