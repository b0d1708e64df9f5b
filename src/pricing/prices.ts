import type { Architecture } from '../engine/types.js';

/**
 * Lambda prices per region (USD), as published by AWS. Duration is priced per GB-second in monthly tiers (x86_64:
 * first 6B GB-s, next 9B, above 15B; arm64: first 7.5B, next 11.25B, above 18.75B); requests per million.
 * One table, one file, so an update is one diff.
 */
export interface RegionPrices {
  requestPer1M: number;
  /** [upTo GB-s per month (Infinity for the last), price per GB-s] */
  gbSecond: Record<Architecture, ReadonlyArray<readonly [number, number]>>;
  /**
   * Provisioned concurrency per GB-s: `idle` for every configured environment for as long as it is enabled,
   * `execution` for the duration of invocations it serves (no tiers). Absent where the table does not know them.
   */
  provisioned?: Record<Architecture, { idle: number; execution: number }>;
}

/** When and where the prices below were read (the planner prints both). */
export const PRICES_AS_OF = '2026-12-02';
export const PRICES_SOURCE =
  'https://aws.amazon.com/lambda/pricing/ (on-demand, provisioned concurrency, Managed Instances; us-east-1 examples), tiers from AWS\'s "Introducing tiered pricing for AWS Lambda"';

const TIER_1 = 6_000_000_000;
const TIER_2 = 15_000_000_000;
/** arm64's tiers are 1.25× x86_64's in GB-s (the same dollar amounts at its 20 % lower price). */
const ARM_TIER_1 = 7_500_000_000;
const ARM_TIER_2 = 18_750_000_000;

const standard: RegionPrices = {
  requestPer1M: 0.2,
  gbSecond: {
    x86_64: [
      [TIER_1, 0.0000166667],
      [TIER_2, 0.000015],
      [Number.POSITIVE_INFINITY, 0.0000133334],
    ],
    arm64: [
      [ARM_TIER_1, 0.0000133334],
      [ARM_TIER_2, 0.0000120001],
      [Number.POSITIVE_INFINITY, 0.0000106667],
    ],
  },
  provisioned: {
    x86_64: { idle: 0.0000041667, execution: 0.0000097222 },
    arm64: { idle: 0.0000033334, execution: 0.0000077778 },
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
      [ARM_TIER_1, 0.00002168],
      [ARM_TIER_2, 0.000019512],
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

/**
 * Lambda Managed Instances: the EC2 instance's own on-demand price, a management fee of 15 % of that price, and
 * $0.20 per 1M requests; no duration charge. Instance prices are EC2 Linux on-demand in us-east-1: m7g.xlarge's
 * $0.1632/h is the one the Lambda pricing page's example uses; m7g.large $0.0816 and m7i.xlarge $0.2016 as published
 * write-ups of the EC2 rate card (June 2026) give them; m7i.large is half of m7i.xlarge (EC2 prices scale linearly
 * within a family); c7g.xlarge and c7i.xlarge from the EC2 rate card as known, not re-checked here. Other regions are
 * not in the table.
 */
export const MANAGED_INSTANCES = {
  requestPer1M: 0.2,
  managementFee: 0.15,
  region: 'us-east-1',
  instances: {
    'm7g.large': { architecture: 'arm64', vcpus: 2, memoryGiB: 8, perHour: 0.0816 },
    'm7g.xlarge': { architecture: 'arm64', vcpus: 4, memoryGiB: 16, perHour: 0.1632 },
    'c7g.xlarge': { architecture: 'arm64', vcpus: 4, memoryGiB: 8, perHour: 0.145 },
    'm7i.large': { architecture: 'x86_64', vcpus: 2, memoryGiB: 8, perHour: 0.1008 },
    'm7i.xlarge': { architecture: 'x86_64', vcpus: 4, memoryGiB: 16, perHour: 0.2016 },
    'c7i.xlarge': { architecture: 'x86_64', vcpus: 4, memoryGiB: 8, perHour: 0.1785 },
  } as Record<string, { architecture: Architecture; vcpus: number; memoryGiB: number; perHour: number }>,
  /** The instance type the planner assumes per architecture unless told otherwise. */
  defaultInstance: { arm64: 'm7g.xlarge', x86_64: 'm7i.xlarge' } as Record<Architecture, string>,
} as const;
