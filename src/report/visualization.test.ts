import { describe, expect, it } from 'vitest';
import { decodeVisualizationUrl, visualizationUrl } from './visualization.js';

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
});
