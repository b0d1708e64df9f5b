import { readFileSync } from 'node:fs';
import { LambenchError } from '../errors.js';
import { exponential } from './random.js';

/** AWS's monthly convention (730 hours), as its pricing calculator uses: 50/s is 131.4M invocations a month. */
export const MONTH_SECONDS = 730 * 3600;
const DAY = 86_400;

export type TrafficKind = 'steady' | 'diurnal' | 'burst' | 'per-minute' | 'timestamps';

/**
 * Traffic as a rate that repeats every `periodS` seconds (steady traffic: any period, one hour here). Timestamps
 * from a file are kept as they are (`times`) and are their own period.
 */
export interface Traffic {
  spec: string;
  kind: TrafficKind;
  description: string;
  periodS: number;
  /** Requests per second at t (any t: the pattern is cyclic). */
  rateAt(t: number): number;
  maxRate: number;
  /** Requests in one period. */
  perPeriod: number;
  invocationsPerMonth: number;
  /** kind timestamps: arrival times in [0, periodS), sorted. */
  times?: Float64Array;
}

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  day: DAY,
  month: MONTH_SECONDS,
};
const MULTIPLIERS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, B: 1e9 };

const bad = (spec: string, why: string) =>
  new LambenchError(
    'INVALID_ARGUMENT',
    `--traffic "${spec}": ${why}.`,
    'Use a rate (100/s, 6000/min, 50M/month [--shape diurnal]), a burst (burst:10/s,500/s,60s,1h = 10/s with 500/s for 60 s every hour) or a CSV file (@traffic.csv: per-minute counts "minute,count", or one timestamp per line).',
  );

/** "100/s", "2.5k/min", "50M/month" → requests per second. */
export function parseRate(text: string, spec = text): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKMB]?)\s*\/\s*([a-z]+)\s*$/.exec(text);
  const unit = m ? UNITS[m[3] ?? ''] : undefined;
  if (!m || unit === undefined) throw bad(spec, `"${text}" is not a rate`);
  const value = Number(m[1]) * (MULTIPLIERS[m[2] ?? ''] ?? 1);
  if (!(value > 0)) throw bad(spec, 'the rate must be above zero');
  return value / unit;
}

/** "60s", "5min", "1h", "1day" → seconds. */
export function parseDuration(text: string, spec = text): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/.exec(text);
  const unit = m ? UNITS[m[2] ?? ''] : undefined;
  if (!m || unit === undefined || unit === MONTH_SECONDS)
    throw bad(spec, `"${text}" is not a duration (60s, 5min, 1h)`);
  return Number(m[1]) * unit;
}

const make = (
  spec: string,
  kind: TrafficKind,
  description: string,
  periodS: number,
  rateAt: (t: number) => number,
  maxRate: number,
  perPeriod: number,
  times?: Float64Array,
): Traffic => ({
  spec,
  kind,
  description,
  periodS,
  rateAt,
  maxRate,
  perPeriod,
  invocationsPerMonth: perPeriod * (MONTH_SECONDS / periodS),
  ...(times ? { times } : {}),
});

export function steady(rate: number, spec = `${rate}/s`): Traffic {
  return make(spec, 'steady', `steady ${fmt(rate)}/s`, 3600, () => rate, rate, rate * 3600);
}

/**
 * A daily cycle: rate = mean × (1 + a·cos(2π(t − peak)/day)), peak at 14:00 UTC; a = 0.6 by default (the peak is
 * 4× the trough). The mean, and so the monthly count, is the one asked for.
 */
export function diurnal(mean: number, amplitude = 0.6, spec = `${mean}/s`): Traffic {
  const peak = (14 / 24) * DAY;
  const rateAt = (t: number) => mean * (1 + amplitude * Math.cos((2 * Math.PI * (t - peak)) / DAY));
  const description = `${fmt(mean)}/s on average, daily cycle (peak ${fmt(mean * (1 + amplitude))}/s at 14:00 UTC, trough ${fmt(mean * (1 - amplitude))}/s)`;
  return make(spec, 'diurnal', description, DAY, rateAt, mean * (1 + amplitude), mean * DAY);
}

export function burst(base: number, peak: number, forS: number, everyS: number, spec: string): Traffic {
  if (forS >= everyS) throw bad(spec, 'a burst must be shorter than its period');
  if (forS < 1 || !Number.isInteger(forS) || !Number.isInteger(everyS))
    throw bad(spec, 'a burst lasts whole seconds, at least 1 s, in a period of whole seconds');
  const rateAt = (t: number) => (((t % everyS) + everyS) % everyS < forS ? peak : base);
  const description = `${fmt(base)}/s with bursts of ${fmt(peak)}/s for ${fmt(forS)} s every ${fmt(everyS)} s`;
  return make(spec, 'burst', description, everyS, rateAt, Math.max(base, peak), base * (everyS - forS) + peak * forS);
}

export function perMinute(counts: readonly number[], spec: string): Traffic {
  const rates = counts.map((c) => c / 60);
  const periodS = counts.length * 60;
  const rateAt = (t: number) => rates[Math.floor((((t % periodS) + periodS) % periodS) / 60)] ?? 0;
  const total = counts.reduce((a, b) => a + b, 0);
  const peak = counts.reduce((a, b) => Math.max(a, b), 0);
  const description = `${counts.length} minutes of per-minute counts (${fmt(total)} requests, peak ${fmt(peak)}/min), repeated`;
  return make(spec, 'per-minute', description, periodS, rateAt, peak / 60, total);
}

export function timestamps(secondsSorted: readonly number[], spec: string): Traffic {
  const first = secondsSorted[0] ?? 0;
  const times = Float64Array.from(secondsSorted, (s) => s - first);
  const periodS = Math.max(60, Math.ceil((times[times.length - 1] ?? 0) + 1));
  const minutes = new Array<number>(Math.ceil(periodS / 60)).fill(0);
  for (const t of times) minutes[Math.floor(t / 60)] = (minutes[Math.floor(t / 60)] ?? 0) + 1;
  const rateAt = (t: number) => (minutes[Math.floor((((t % periodS) + periodS) % periodS) / 60)] ?? 0) / 60;
  const description = `${fmt(times.length)} request timestamps over ${fmt(periodS / 60)} min, repeated`;
  const peak = minutes.reduce((a, b) => Math.max(a, b), 0);
  return make(spec, 'timestamps', description, periodS, rateAt, peak / 60, times.length, times);
}

/** The same pattern with every rate multiplied (timestamps become per-minute counts). */
export function scaleTraffic(traffic: Traffic, factor: number): Traffic {
  const spec = `${traffic.spec} × ${factor}`;
  if (traffic.kind === 'steady') return steady(traffic.maxRate * factor, spec);
  const rateAt = (t: number) => traffic.rateAt(t) * factor;
  return make(
    spec,
    traffic.kind === 'timestamps' ? 'per-minute' : traffic.kind,
    `${traffic.description}, × ${factor}`,
    traffic.periodS,
    rateAt,
    traffic.maxRate * factor,
    traffic.perPeriod * factor,
  );
}

function parseCsv(text: string, spec: string): Traffic {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/[,;\t]/).map((c) => c.trim()));
  const numeric = (c: string | undefined) => c !== undefined && c !== '' && Number.isFinite(Number(c));
  const isTime = (c: string | undefined) => numeric(c) || (c !== undefined && !Number.isNaN(Date.parse(c)));
  const first = rows[0];
  // A header row names its columns: nothing in it parses as a count or a time.
  if (first && !first.some((c) => isTime(c))) rows.shift();
  if (rows.length === 0) throw bad(spec, 'the file has no rows');
  if (rows.every((r) => r.length >= 2)) {
    const counts = rows.map((r, i) => {
      const c = r[r.length - 1];
      if (!numeric(c) || Number(c) < 0) throw bad(spec, `row ${i + 1}: "${c}" is not a count`);
      return Number(c);
    });
    if (counts.every((c) => c === 0)) throw bad(spec, 'every minute has 0 requests');
    return perMinute(counts, spec);
  }
  const seconds = rows.map((r, i) => {
    const c = r[0] ?? '';
    if (numeric(c)) return Number(c) > 1e11 ? Number(c) / 1000 : Number(c);
    const ms = Date.parse(c);
    if (Number.isNaN(ms)) throw bad(spec, `row ${i + 1}: "${c}" is not a timestamp (ISO 8601, epoch s or ms)`);
    return ms / 1000;
  });
  return timestamps(
    seconds.sort((a, b) => a - b),
    spec,
  );
}

export interface TrafficOptions {
  /** For counts per day or month: flat, or diurnal[:amplitude]. */
  shape?: string;
}

export function parseTraffic(spec: string, options: TrafficOptions = {}): Traffic {
  const text = spec.trim();
  if (text.startsWith('@') || text.endsWith('.csv')) {
    const file = text.startsWith('@') ? text.slice(1) : text;
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw bad(spec, `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return parseCsv(content, spec);
  }
  if (text.startsWith('burst:')) {
    const parts = text.slice(6).split(',');
    if (parts.length !== 4) throw bad(spec, 'a burst is burst:<base rate>,<peak rate>,<for>,<every>');
    const [base = '', peak = '', forS = '', every = ''] = parts;
    return burst(
      parseRate(base, spec),
      parseRate(peak, spec),
      parseDuration(forS, spec),
      parseDuration(every, spec),
      spec,
    );
  }
  const rate = parseRate(text, spec);
  const shape = options.shape ?? 'flat';
  if (shape === 'flat') return steady(rate, spec);
  const m = /^diurnal(?::(\d*\.?\d+))?$/.exec(shape);
  if (!m) throw bad(spec, `--shape "${shape}" is not flat or diurnal[:amplitude]`);
  const amplitude = m[1] === undefined ? 0.6 : Number(m[1]);
  if (!(amplitude >= 0 && amplitude < 1)) throw bad(spec, 'a diurnal amplitude is at least 0 and below 1');
  return diurnal(rate, amplitude, spec);
}

/** Chunk of the thinning: its own peak rate, so a 600× burst does not make the quiet hours draw 600× the candidates. */
const CHUNK_S = 60;

/**
 * The highest rate in [from, to): sampled every second (burst and minute boundaries fall on whole seconds; a burst is
 * at least 1 s) plus a 1 % margin for the smooth diurnal curve, which moves under 0.5 % of its mean in a minute.
 */
function peakIn(traffic: Traffic, from: number, to: number): number {
  let peak = Math.max(traffic.rateAt(from), traffic.rateAt(to - 1e-9));
  for (let t = Math.ceil(from); t < to; t++) peak = Math.max(peak, traffic.rateAt(t));
  return traffic.kind === 'diurnal' ? Math.min(traffic.maxRate, peak * 1.01) : peak;
}

/**
 * Arrival times in [from, to) of a non-homogeneous Poisson process with the traffic's rate (thinning, minute by
 * minute, against that minute's peak rate); the given timestamps themselves for kind timestamps.
 */
export function* arrivals(traffic: Traffic, from: number, to: number, random: () => number): Generator<number> {
  if (traffic.times) {
    for (const t of traffic.times) if (t >= from && t < to) yield t;
    return;
  }
  const constant = traffic.kind === 'steady';
  for (let start = from; start < to; start += CHUNK_S) {
    const end = Math.min(to, start + CHUNK_S);
    const max = constant ? traffic.maxRate : peakIn(traffic, start, end);
    if (!(max > 0)) continue;
    // Memoryless: starting the exponential gaps afresh at each chunk boundary keeps the process Poisson.
    let t = start;
    for (;;) {
      t += exponential(random, max);
      if (t >= end) break;
      if (constant || random() * max < traffic.rateAt(t)) yield t;
    }
  }
}

function fmt(x: number): string {
  if (x >= 1e6) return `${+(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${+(x / 1e3).toFixed(1)}k`;
  return String(+x.toFixed(x < 10 ? 3 : 1));
}
