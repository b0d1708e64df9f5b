import { hasRegionPrices } from '../pricing/prices.js';
import type { NetworkDescription } from '../services/network/index.js';
import type { TuneEnvironment, TuneResult } from '../tuner/types.js';

/** "arm64 in eu-west-1", flagged when the region has no prices of its own. */
export function pricingLabel(e: TuneEnvironment): string {
  const region = e.pricingRegion ?? e.region;
  const note = hasRegionPrices(region) ? '' : ' (not in the price table: standard us-east-1 rates)';
  return `${e.architecture} in ${region}${note}`;
}

/** `lambda-2026 (20 MB/s at 256 MB … 80 MB/s at 10240 MB)`, `none (loopback, unshaped)`, or n/a on AWS. */
export function networkLabel(network: NetworkDescription | undefined): string {
  if (!network) return 'n/a';
  if (network.model === 'none' || !('bandwidthMBps' in network)) return 'none (loopback, unshaped)';
  const anchors = Object.entries(network.bandwidthMBps);
  const [lowMB, low] = anchors[0] ?? ['?', '?'];
  const [highMB, high] = anchors[anchors.length - 1] ?? ['?', '?'];
  return `${network.model} (${low} MB/s at ${lowMB} MB … ${high} MB/s at ${highMB} MB; no burst credits)`;
}

export const ms = (x: number | undefined | null) =>
  x === undefined || x === null || Number.isNaN(x)
    ? '–'
    : x < 10
      ? x.toFixed(2)
      : x < 100
        ? x.toFixed(1)
        : x.toFixed(0);

/** Costs per invocation are tiny; per 1M invocations they are readable. */
export const usd = (x: number | undefined | null) =>
  x === undefined || x === null
    ? '–'
    : x >= 1
      ? `$${x.toFixed(2)}`
      : x >= 0.01
        ? `$${x.toFixed(4)}`
        : `$${x.toPrecision(3)}`;

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** "2 (Runtime.OutOfMemory)", plus "+3 allowed (Sandbox.Timedout)" so allowed errors are never invisible. */
export function errorsCell(c: {
  errors: number;
  errorTypes: Record<string, number>;
  allowedErrors?: Record<string, number>;
}): string {
  const counted = c.errors ? `${c.errors} (${Object.keys(c.errorTypes).join(', ')})` : '0';
  const allowed = Object.entries(c.allowedErrors ?? {});
  if (allowed.length === 0) return counted;
  const n = allowed.reduce((sum, [, k]) => sum + k, 0);
  return `${counted} +${n} allowed (${allowed.map(([t]) => t).join(', ')})`;
}

/** "cost / month (5,000,000 invocations, free tier)" — the heading says at which rate the bill was priced. */
export function monthlyHeading(monthly: NonNullable<TuneResult['monthly']>): string {
  return `cost / month (${monthly.invocations.toLocaleString('en-US')} invocations${monthly.freeTier ? ', free tier' : ''})`;
}

/**
 * Below 6 values no order statistics give a 95 % CI of the median, so stats reports [min, max]; that interval
 * holds the median with probability 1 − 2 × 0.5ⁿ only (93.8 % at n = 5, 50 % at n = 2).
 */
export const CI_MIN_COUNT = 6;
export const weakCi = (d: { count: number } | null | undefined): boolean =>
  d !== null && d !== undefined && d.count < CI_MIN_COUNT;

/** The footnote for the † marks, or '' when every interval shown is a real 95 % CI. */
export function weakCiNote(counts: number[]): string {
  const ns = [...new Set(counts.filter((n) => n < CI_MIN_COUNT))].sort((a, b) => b - a);
  if (ns.length === 0) return '';
  const coverage = ns.map((n) => `${(100 * (1 - 2 * 0.5 ** n)).toFixed(1)} % at n = ${n}`).join(', ');
  return `† fewer than ${CI_MIN_COUNT} successful invocations: the bracket is [min, max], not a 95 % CI; it holds the median with probability ${coverage}. Use -n ${CI_MIN_COUNT} or more for a 95 % CI.`;
}
