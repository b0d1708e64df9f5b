import type { TuneResult } from '../tuner/types.js';
import type { PublishedCurve, PublishedSet } from './published.js';

/**
 * How well a local curve (duration over memory) has the shape of the one published from AWS: both divided by their
 * own value at one common size (1536 MB where both have it), then the mean over the other common sizes of
 * |local ÷ published − 1|. Absolute times differ between machines; the shape is what the local engine claims to
 * predict. The reference size itself is left out of the mean (it is 0 by construction).
 */
export interface FidelityScore {
  /** The local implementation (tuner label). */
  implementation: string;
  /** The published curve it is compared with. */
  publishedAs: string;
  rows?: number;
  /** The sizes compared (measured here and published), ascending. */
  sizes: number[];
  /** Both curves divided by their value at `normalisedAt`, one per size. */
  local: number[];
  published: number[];
  /** The raw figures (ms): ours (PowerTuning-style trimmed mean) and the published ones. */
  localMs: number[];
  publishedMs: number[];
  normalisedAt: number;
  /** Mean absolute relative error of the normalised curves; null when fewer than two sizes are common. */
  meanAbsError: number | null;
  /** Published sizes the score does not cover, and why (the host caps them, not run, …). */
  notCovered: Array<{ memoryMB: number; why: string }>;
  /** Compared sizes whose published figure is approximate (read off a summary or chart). */
  approximate?: number[];
  /** Which sizes the score covers, in words: "256–3008 MB (5000 MB capped by the host: 2 cores × 1769 MB)". */
  covers: string;
  /** What the original measured. */
  measured: string;
  source: string;
}

export interface FidelityInput {
  implementation: string;
  curve: PublishedCurve;
  set: Pick<PublishedSet, 'measured'>;
  /** Our duration (ms) at a size, undefined where not measured. */
  localAt: (memoryMB: number) => number | undefined;
  /** Largest size the host gives its full CPU share; larger published sizes are named as capped. */
  maxFullCpuMB?: number;
  hostCpus?: number;
  /** Default 1536. */
  referenceMB?: number;
}

/** The common size nearest to `preferred` (the smaller one on a tie). */
export function referenceSize(sizes: number[], preferred = 1536): number | undefined {
  return [...sizes].sort((a, b) => Math.abs(a - preferred) - Math.abs(b - preferred) || a - b)[0];
}

/** Mean of |l/p − 1| over the sizes other than the reference, both curves normalised at the reference. */
export function meanAbsError(local: number[], published: number[], refIndex: number): number | null {
  const l0 = local[refIndex];
  const p0 = published[refIndex];
  if (!l0 || !p0) return null;
  const errors = local
    .map((l, i) => (i === refIndex ? undefined : Math.abs(l / l0 / ((published[i] ?? Number.NaN) / p0) - 1)))
    .filter((e): e is number => e !== undefined && Number.isFinite(e));
  return errors.length ? errors.reduce((a, b) => a + b, 0) / errors.length : null;
}

export function fidelityScore(input: FidelityInput): FidelityScore {
  const { curve } = input;
  const notCovered: FidelityScore['notCovered'] = [];
  const common: Array<{ memoryMB: number; local: number; published: number }> = [];
  curve.sizes.forEach((memoryMB, i) => {
    const published = curve.durationsMs[i];
    if (published === null || published === undefined) return;
    if (input.maxFullCpuMB !== undefined && memoryMB > input.maxFullCpuMB) {
      notCovered.push({
        memoryMB,
        why: `capped by the host (${input.hostCpus ?? '?'} cores × 1769 = ${input.maxFullCpuMB} MB)`,
      });
      return;
    }
    const local = input.localAt(memoryMB);
    if (local === undefined || !Number.isFinite(local) || local <= 0) {
      notCovered.push({ memoryMB, why: 'not measured here' });
      return;
    }
    common.push({ memoryMB, local, published });
  });
  const sizes = common.map((c) => c.memoryMB);
  const normalisedAt = referenceSize(sizes, input.referenceMB ?? 1536) ?? Number.NaN;
  const refIndex = sizes.indexOf(normalisedAt);
  const localMs = common.map((c) => c.local);
  const publishedMs = common.map((c) => c.published);
  const norm = (values: number[]) => values.map((v) => (refIndex >= 0 ? v / (values[refIndex] ?? 1) : Number.NaN));
  const approximate = (curve.approximate ?? []).filter((m) => sizes.includes(m));
  return {
    implementation: input.implementation,
    publishedAs: curve.name,
    ...(curve.rows !== undefined ? { rows: curve.rows } : {}),
    sizes,
    local: norm(localMs),
    published: norm(publishedMs),
    localMs,
    publishedMs,
    normalisedAt,
    meanAbsError: refIndex >= 0 && sizes.length >= 2 ? meanAbsError(localMs, publishedMs, refIndex) : null,
    notCovered,
    ...(approximate.length ? { approximate } : {}),
    covers: coverage(sizes, notCovered),
    measured: input.set.measured,
    source: curve.source,
  };
}

function coverage(sizes: number[], notCovered: FidelityScore['notCovered']): string {
  const covered = sizes.length ? `${sizes.join(', ')} MB` : 'no size';
  if (!notCovered.length) return `${covered} (every published size)`;
  const left = notCovered.map((n) => `${n.memoryMB} MB ${n.why}`).join('; ');
  return `${covered}; not covered: ${left}`;
}

/** Our figure at a size, as PowerTuning reports it: the trimmed mean of the successful invocations. */
export function tunedDuration(result: TuneResult | undefined): (memoryMB: number) => number | undefined {
  return (memoryMB) => {
    const summary = result?.configs.find((c) => c.memoryMB === memoryMB)?.durationMs;
    return summary ? summary.trimmedMean : undefined;
  };
}

export const formatScore = (score: FidelityScore) =>
  score.meanAbsError === null ? '–' : `${(score.meanAbsError * 100).toFixed(1)} %`;
