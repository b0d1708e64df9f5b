import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { confidenceText, pickConfidence } from './confidence.js';
import { buildConfigResult } from './results.js';
import type { InvocationRecord } from './types.js';

/** n invocations at a size, durations spread ±spread around `ms` (seeded), plus one warm-up. */
function records(memoryMB: number, ms: number, spread: number, seed: number, n = 10): InvocationRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: n + 1 }, (_, i) => {
    const durationMs = ms * (1 + spread * (2 * random() - 1));
    return {
      memoryMB,
      requestId: `${memoryMB}-${i}`,
      cold: i === 0,
      warmup: i === 0,
      durationMs,
      billedDurationMs: Math.ceil(durationMs),
      initDurationMs: i === 0 ? 100 : null,
      maxMemoryUsedMB: 60,
      functionError: null,
      errorType: null,
      clientMs: durationMs + 1,
      startedAt: new Date(0).toISOString(),
    };
  });
}

const summarise = (m: number, own: InvocationRecord[]) =>
  buildConfigResult(m, own, { architecture: 'x86_64', region: 'us-east-1', cpuCapped: false });

describe('pickConfidence', () => {
  it('is sure when one size is far better than the noise, and splits between sizes the noise cannot tell apart', () => {
    // Speed: 1024 MB twice as fast as 512 MB with ±5 % noise — every resample picks it.
    const clear = new Map([
      [512, records(512, 200, 0.05, 1)],
      [1024, records(1024, 100, 0.05, 2)],
    ]);
    const sure = pickConfidence(clear, summarise, { strategy: 'speed' });
    expect(sure?.picks).toEqual([{ memoryMB: 1024, share: 1 }]);
    // Two sizes equally fast (same distribution), ±30 % noise: both get a large share, neither all of it.
    const tied = new Map([
      [1024, records(1024, 100, 0.3, 3)],
      [2048, records(2048, 100, 0.3, 4)],
    ]);
    const split = pickConfidence(tied, summarise, { strategy: 'speed' });
    expect(split?.picks).toHaveLength(2);
    for (const p of split?.picks ?? []) expect(p.share).toBeGreaterThan(0.1);
    expect((split?.picks ?? []).reduce((s, p) => s + p.share, 0)).toBeCloseTo(1, 10);
  });

  it('is reproducible from its seed and says nothing with fewer than two sizes', () => {
    const sizes = new Map([
      [1024, records(1024, 100, 0.3, 5)],
      [2048, records(2048, 95, 0.3, 6)],
    ]);
    const a = pickConfidence(sizes, summarise, { strategy: 'cost' }, { seed: 7 });
    expect(pickConfidence(sizes, summarise, { strategy: 'cost' }, { seed: 7 })).toEqual(a);
    expect(pickConfidence(new Map([[1024, records(1024, 100, 0.1, 1)]]), summarise, { strategy: 'cost' })).toBeNull();
  });

  it('reads as a sentence after the recommendation', () => {
    const best = summarise(1024, records(1024, 100, 0.1, 1));
    const confidence = (picks: Array<{ memoryMB: number; share: number }>) => ({ replicates: 200, seed: 1, picks });
    const usual = confidence([
      { memoryMB: 1024, share: 0.82 },
      { memoryMB: 1536, share: 0.15 },
      { memoryMB: 512, share: 0.03 },
    ]);
    expect(confidenceText(usual, best)).toBe(
      ' Picked in 82 % of 200 resamples of the invocations (1536 MB in 15 %, 512 MB in 3 %).',
    );
    expect(confidenceText(null, best)).toBe('');
    const nearlyAll = confidence([
      { memoryMB: 1024, share: 0.995 },
      { memoryMB: 512, share: 0.005 },
    ]);
    expect(confidenceText(nearlyAll, best)).toBe(
      ' Picked in > 99 % of 200 resamples of the invocations (512 MB in < 1 %).',
    );
  });
});
