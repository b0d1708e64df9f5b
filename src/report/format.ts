import { hasRegionPrices } from '../pricing/prices.js';
import type { TuneEnvironment, TuneResult } from '../tuner/types.js';

/** "arm64 in eu-west-1", flagged when the region has no prices of its own. */
export function pricingLabel(e: TuneEnvironment): string {
  const region = e.pricingRegion ?? e.region;
  const note = hasRegionPrices(region) ? '' : ' (not in the price table: standard us-east-1 rates)';
  return `${e.architecture} in ${region}${note}`;
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
