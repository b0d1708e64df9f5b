import { describe, expect, it } from 'vitest';
import { medianCi95, percentile, summarize, trimmedMean } from './stats.js';

describe('statistics', () => {
  it('interpolates percentiles (type 7)', () => {
    const s = [10, 20, 30, 40, 50];
    expect(percentile(s, 50)).toBe(30);
    expect(percentile(s, 90)).toBe(46);
    expect(percentile([1, 2], 50)).toBe(1.5);
  });

  it("matches PowerTuning's trimmed mean (20 % cut each end)", () => {
    // 10 values: drop 2 lowest and 2 highest → mean of 3..8
    expect(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000])).toBe(5.5);
    // 4 values: floor(0.8) = 0 dropped
    expect(trimmedMean([1, 2, 3, 10])).toBe(4);
  });

  it('gives the binomial order-statistic CI of the median', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    // n = 20: j = 6 → [x(6), x(15)] (P(X ≤ 5) = 0.0207 ≤ 0.025 < P(X ≤ 6) = 0.0577)
    expect(medianCi95(values)).toEqual([6, 15]);
    expect(medianCi95([3, 1, 2].sort())).toEqual([1, 3]);
  });

  it('summarizes with sample standard deviation', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s?.mean).toBe(5);
    expect(s?.stddev).toBeCloseTo(2.138, 3);
    expect(s?.min).toBe(2);
    expect(s?.max).toBe(9);
    expect(summarize([])).toBeNull();
  });
});
