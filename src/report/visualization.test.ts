import { describe, expect, it } from 'vitest';
import {
  compareVisualizationUrl,
  decodeCompareVisualizationUrl,
  decodeVisualizationUrl,
  visualizationUrl,
} from './visualization.js';

describe('PowerTuning visualization URL', () => {
  it('encodes Int16 sizes and Float32 durations/costs, little-endian base64', () => {
    const url = visualizationUrl([
      { memoryMB: 256, durationMs: 10, costUSD: 0.5 },
      { memoryMB: 128, durationMs: 20.5, costUSD: 1 },
    ]);
    // Int16 LE [128, 256] = 80 00 00 01 → "gAAAAQ=="; Float32 LE 20.5 = 00 00 a4 41, 10 = 00 00 20 41
    expect(url).toBe(`https://lambda-power-tuning.show/#gAAAAQ==;AACkQQAAIEE=;AACAPwAAAD8=`);
    expect(decodeVisualizationUrl(url)).toEqual([
      { memoryMB: 128, durationMs: 20.5, costUSD: 1 },
      { memoryMB: 256, durationMs: 10, costUSD: 0.5 },
    ]);
  });

  it("encodes and decodes the UI's two-function compare form, legends URI-encoded", () => {
    const first = {
      legend: 'cpu-node (run; 1)',
      points: [
        { memoryMB: 256, durationMs: 10, costUSD: 0.5 },
        { memoryMB: 128, durationMs: 20.5, costUSD: 1 },
      ],
    };
    const second = { legend: 'cpu-python ä', points: [{ memoryMB: 1024, durationMs: 2.5, costUSD: 0.25 }] };
    const url = compareVisualizationUrl(first, second);
    // Same data-set encoding as the single form, then the second set, then the legends.
    expect(url).toBe(
      'https://lambda-power-tuning.show/#gAAAAQ==;AACkQQAAIEE=;AACAPwAAAD8=;AAQ=;AAAgQA==;AACAPg==;cpu-node%20(run%3B%201);cpu-python%20%C3%A4',
    );
    const [a, b] = decodeCompareVisualizationUrl(url);
    expect(a).toEqual({ legend: first.legend, points: [...first.points].reverse() });
    expect(b).toEqual(second);
    expect(decodeVisualizationUrl(url)).toEqual(a.points);
    expect(() => decodeCompareVisualizationUrl(visualizationUrl(first.points))).toThrow(/not 8/);
  });
});
