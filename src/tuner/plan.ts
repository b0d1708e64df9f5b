import { readFile } from 'node:fs/promises';
import { MAX_SYNC_PAYLOAD_BYTES, payloadTooLarge } from '../engine/engine.js';
import { MAX_MEMORY_MB, MIN_MEMORY_MB } from '../engine/manifest.js';
import type { Architecture } from '../engine/types.js';
import { LambenchError } from '../errors.js';

export type Strategy = 'cost' | 'speed' | 'balanced';
export const STRATEGIES: readonly Strategy[] = ['cost', 'speed', 'balanced'];
export const DEFAULT_MEMORY_SIZES = [128, 256, 512, 1024, 1536, 1769, 3008] as const;

export interface PayloadSpec {
  name: string;
  payload: string;
  weight: number;
}

export type RunOrder = 'sequential' | 'interleaved';

export interface TunePlan {
  functionName: string;
  memorySizes: number[];
  /** Invocations per memory size (split across payloads by weight); with `precision`, the most per size (max-n). */
  invocations: number;
  /**
   * sequential: size after size (absent = sequential, as plans saved before this option were run); interleaved:
   * one invocation per unfinished size per round, the sizes in a seeded random order each round, so drift of the
   * host (or of AWS) over the run spreads over every size instead of passing for a memory effect.
   */
  order?: RunOrder;
  /** Seed of the interleaved order; recorded so the run's order can be reproduced. */
  seed?: number;
  /**
   * Adaptive sampling: invoke each size until the 95 % CI of its median duration lies within ±precision of the
   * median (0.05 = ±5 %), after at least `minInvocations`, at most `invocations`.
   */
  precision?: number;
  minInvocations?: number;
  parallel: boolean;
  payloads: PayloadSpec[];
  strategy: Strategy;
  /** balanced: weight of cost vs speed, 0..1 (PowerTuning's balancedWeight). */
  balancedWeight: number;
  /** Sizes within this fraction of the best count as tied (tuner/strategy.ts); absent = 0, PowerTuning's rule. */
  tolerance?: number;
  coldOnly: boolean;
  /** Invocations per size that run first and are not counted. */
  warmup: number;
  sleepBetweenMs: number;
  /** Pricing architecture; absent: the function's own (from the target's describe()). */
  architecture?: Architecture;
  /** Pricing region; absent: the target's region. */
  region?: string;
  /** Error types that count as a normal result (PowerTuning's allowedExceptions). */
  allowedErrorTypes: string[];
  autoApply: boolean;
  /** Invocations per month: each size's cost gets a monthly bill at this rate (tiers applied). */
  invocationsPerMonth?: number;
  /** Deduct the monthly free tier from that bill (as if this function had it to itself). */
  freeTier?: boolean;
}

const bad = (message: string, hint?: string) => new LambenchError('INVALID_ARGUMENT', message, hint);

/**
 * AWS's limit on a synchronous Invoke request (6 MB, the limit itself refused), the engine's own rule
 * (payloadTooLarge); checked here so a run fails before its first invocation, not at every one.
 */
export const MAX_PAYLOAD_BYTES = MAX_SYNC_PAYLOAD_BYTES;

/** Parses "128,256,512" into sizes, rejecting anything AWS would reject, before a single invocation runs. */
export function parseMemoryList(text: string): number[] {
  const sizes = text.split(',').map((part) => part.trim());
  if (sizes.length === 0 || sizes.some((s) => s === '')) {
    throw bad(`--memory "${text}" is not a list of sizes.`, 'Use comma-separated integers, e.g. --memory 128,512,1024');
  }
  return sizes.map((s) => {
    // Whole decimal numbers only: Number() would also read "0x80" as 128 and "1e3" as 1000.
    const n = /^\d+$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isInteger(n) || n < MIN_MEMORY_MB || n > MAX_MEMORY_MB) {
      throw bad(
        `Memory size "${s}" is not valid: it must be an integer between ${MIN_MEMORY_MB} and ${MAX_MEMORY_MB} MB.`,
        'e.g. --memory 128,256,512,1024,1769,3008',
      );
    }
    return n;
  });
}

export function parseStrategy(text: string): Strategy {
  if (!(STRATEGIES as readonly string[]).includes(text)) {
    throw bad(`Unknown strategy "${text}".`, `Use one of: ${STRATEGIES.join(', ')}.`);
  }
  return text as Strategy;
}

/**
 * Weighted payloads from a JSON file: `[{ "payload": {...}, "weight": 3 }, …]` (PowerTuning's format), or a
 * single payload file. Weights must be finite positive numbers.
 */
export async function readPayloadsFile(file: string): Promise<PayloadSpec[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw bad(`Cannot read payload file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw bad(`Payload file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) return [{ name: 'payload', payload: text, weight: 1 }];
  return parsed.map((entry: unknown, index) => {
    const item = entry as { payload?: unknown; weight?: unknown; name?: unknown };
    if (typeof item !== 'object' || item === null || !('payload' in item)) {
      throw bad(`${file}: entry ${index} needs a "payload" (and optionally "weight").`);
    }
    const weight = item.weight ?? 1;
    // JSON.parse turns 1e999 into Infinity (and JSON.stringify shows it as null), so say what was read.
    if (!isValidWeight(weight)) {
      throw bad(`${file}: entry ${index} has weight ${String(weight)}; weights must be finite positive numbers.`);
    }
    const name = typeof item.name === 'string' ? item.name : `payload-${index + 1}`;
    return { name, payload: JSON.stringify(item.payload), weight };
  });
}

const isValidWeight = (w: unknown): w is number => typeof w === 'number' && Number.isFinite(w) && w > 0;

/** Checks a plan as a whole; everything here fails before any invocation. */
export function validatePlan(plan: TunePlan): TunePlan {
  if (plan.memorySizes.length === 0) throw bad('No memory sizes to test.');
  if (!Number.isInteger(plan.invocations) || plan.invocations < 1) {
    const what = plan.precision === undefined ? '-n' : '--max-n';
    throw bad(`${what} must be an integer of at least 1, got ${plan.invocations}.`);
  }
  if (plan.payloads.length === 0) throw bad('No payload to send.');
  validateSampling(plan);
  if (plan.payloads.length > plan.invocations) {
    throw bad(
      `${plan.payloads.length} weighted payloads need at least as many invocations per size (-n ${plan.invocations}).`,
      `Use -n ${plan.payloads.length} or more.`,
    );
  }
  for (const p of plan.payloads) {
    const bytes = Buffer.byteLength(p.payload, 'utf8');
    const tooLarge = payloadTooLarge(bytes, 'RequestResponse');
    if (tooLarge) {
      throw bad(
        `Payload "${p.name}" is ${bytes} bytes: ${tooLarge.awsType}: ${tooLarge.message}.`,
        'Send a reference (e.g. an S3 key) instead of the data.',
      );
    }
  }
  // The run loop uses this very schedule, so anything that would make it wrong is reported here, not mid-run.
  payloadSchedule(plan.payloads, plan.invocations);
  if (!(plan.balancedWeight >= 0 && plan.balancedWeight <= 1)) {
    throw bad(`--balanced-weight must be between 0 and 1, got ${plan.balancedWeight}.`);
  }
  if (plan.tolerance !== undefined && !(plan.tolerance >= 0 && plan.tolerance < 1)) {
    throw bad(`--tolerance must be between 0 % and 100 %, got ${plan.tolerance}.`, 'e.g. --tolerance 5%');
  }
  if (!Number.isInteger(plan.warmup) || plan.warmup < 0) throw bad('--warmup must be an integer of 0 or more.');
  if (!(plan.sleepBetweenMs >= 0)) throw bad('--sleep must be 0 or more milliseconds.');
  const perMonth = plan.invocationsPerMonth;
  if (perMonth !== undefined && !(Number.isSafeInteger(perMonth) && perMonth >= 1)) {
    throw bad(`--per-month must be a whole number of invocations of at least 1, got ${perMonth}.`);
  }
  if (plan.freeTier && perMonth === undefined) {
    throw bad('--free-tier applies to a monthly bill: give --per-month N too.', 'e.g. --per-month 5000000 --free-tier');
  }
  return { ...plan, memorySizes: [...new Set(plan.memorySizes)].sort((a, b) => a - b) };
}

function validateSampling(plan: TunePlan): void {
  if (plan.order !== undefined && plan.order !== 'sequential' && plan.order !== 'interleaved') {
    throw bad(`--order must be sequential or interleaved, got "${String(plan.order)}".`);
  }
  if (plan.parallel && plan.order === 'interleaved') {
    throw bad(
      "--parallel sends a size's invocations all at once; it cannot be interleaved.",
      'Add --order sequential.',
    );
  }
  if (plan.seed !== undefined && !(Number.isSafeInteger(plan.seed) && plan.seed >= 0)) {
    throw bad(`--seed must be a whole number of 0 or more, got ${plan.seed}.`);
  }
  if (plan.precision === undefined) return;
  if (!(plan.precision > 0 && plan.precision < 1)) {
    throw bad(
      `--precision must be a fraction between 0 and 1 (exclusive), got ${plan.precision}.`,
      'e.g. --precision 5%',
    );
  }
  if (plan.parallel) throw bad('--precision decides after each invocation; it cannot be combined with --parallel.');
  const min = plan.minInvocations ?? 0;
  if (!Number.isInteger(min) || min < 1) throw bad(`--min-n must be an integer of at least 1, got ${min}.`);
  if (plan.invocations < min) {
    throw bad(`--max-n ${plan.invocations} is below --min-n ${min}.`, 'Raise --max-n or lower --min-n.');
  }
  if (plan.payloads.length > min) {
    throw bad(
      `${plan.payloads.length} weighted payloads need at least as many invocations per size (--min-n ${min}).`,
      `Use --min-n ${plan.payloads.length} or more.`,
    );
  }
}

/**
 * Splits n invocations across payloads by weight (largest remainder), each payload getting at least one. Throws
 * (rather than loop forever on NaN counts) for weights that are not finite positive numbers or that overflow.
 */
export function payloadSchedule(payloads: PayloadSpec[], n: number): PayloadSpec[] {
  const badWeight = payloads.find((p) => !isValidWeight(p.weight));
  if (badWeight) {
    throw bad(`Payload "${badWeight.name}" has weight ${badWeight.weight}; weights must be finite positive numbers.`);
  }
  const total = payloads.reduce((sum, p) => sum + p.weight, 0);
  if (!Number.isFinite(total)) throw bad('The payload weights add up to more than a number can hold; scale them down.');
  if (!Number.isInteger(n) || n < payloads.length) {
    throw bad(`${payloads.length} weighted payloads need at least as many invocations per size, got ${n}.`);
  }
  const shares = payloads.map((p) => (p.weight / total) * n);
  const counts = shares.map((s) => Math.max(1, Math.floor(s)));
  let remaining = n - counts.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => ({ i, frac: s - Math.floor(s) })).sort((a, b) => b.frac - a.frac);
  for (let k = 0; remaining > 0; k = (k + 1) % order.length, remaining--) counts[order[k]?.i ?? 0]! += 1;
  for (let k = counts.length - 1; remaining < 0; k = (k - 1 + counts.length) % counts.length) {
    if ((counts[k] ?? 0) > 1) {
      counts[k]! -= 1;
      remaining++;
    }
  }
  // Interleave so a serial run does not send all of one payload first.
  const schedule: PayloadSpec[] = [];
  const left = [...counts];
  while (schedule.length < n) {
    payloads.forEach((p, i) => {
      if ((left[i] ?? 0) > 0) {
        schedule.push(p);
        left[i]! -= 1;
      }
    });
  }
  return schedule;
}
