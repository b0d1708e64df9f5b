import type { Architecture } from '../engine/types.js';

/**
 * Lambda on-demand prices per region (USD), as published by AWS. Duration is priced per GB-second in monthly
 * tiers (first 6B GB-s, next 9B, above 15B); requests per million. One table, one file, so an update is one diff.
 */
export interface RegionPrices {
  requestPer1M: number;
  /** [upTo GB-s per month (Infinity for the last), price per GB-s] */
  gbSecond: Record<Architecture, ReadonlyArray<readonly [number, number]>>;
}

const TIER_1 = 6_000_000_000;
const TIER_2 = 15_000_000_000;

const standard: RegionPrices = {
  requestPer1M: 0.2,
  gbSecond: {
    x86_64: [
      [TIER_1, 0.0000166667],
      [TIER_2, 0.000015],
      [Number.POSITIVE_INFINITY, 0.0000133334],
    ],
    arm64: [
      [TIER_1, 0.0000133334],
      [TIER_2, 0.0000120001],
      [Number.POSITIVE_INFINITY, 0.0000106667],
    ],
  },
};

/** Regions priced above the standard rate. */
const saoPaulo: RegionPrices = {
  requestPer1M: 0.2,
  gbSecond: {
    x86_64: [
      [TIER_1, 0.0000271],
      [TIER_2, 0.00002439],
      [Number.POSITIVE_INFINITY, 0.00002168],
    ],
    arm64: [
      [TIER_1, 0.00002168],
      [TIER_2, 0.000019512],
      [Number.POSITIVE_INFINITY, 0.000017344],
    ],
  },
};

export const REGION_PRICES: Record<string, RegionPrices> = {
  'us-east-1': standard,
  'us-east-2': standard,
  'us-west-1': standard,
  'us-west-2': standard,
  'eu-west-1': standard,
  'eu-west-2': standard,
  'eu-central-1': standard,
  'eu-north-1': standard,
  'ap-south-1': standard,
  'ap-southeast-1': standard,
  'ap-southeast-2': standard,
  'ap-northeast-1': standard,
  'ca-central-1': standard,
  'sa-east-1': saoPaulo,
};

/** The monthly free tier: 1M requests and 400,000 GB-s. */
export const FREE_TIER = { requests: 1_000_000, gbSeconds: 400_000 };

/** Whether the table has this region; any other region is priced at the standard (us-east-1) rates. */
export function hasRegionPrices(region: string): boolean {
  return Object.hasOwn(REGION_PRICES, region);
}

export function pricesFor(region: string): RegionPrices {
  return REGION_PRICES[region] ?? standard;
}
