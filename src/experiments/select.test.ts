import { describe, expect, it } from 'vitest';
import { selected } from './types.js';

describe('run --only', () => {
  it('selects every function and label when not given', () => {
    expect(selected({}, 'csv-etl-rust')).toBe(true);
  });

  it('selects names, their tuner labels, and * patterns; nothing else', () => {
    const ctx = { only: ['*-as-published', 'api-calls-python serial', 's3-download-python'] };
    expect(selected(ctx, 'csv-etl-node-as-published')).toBe(true);
    expect(selected(ctx, 'csv-etl-node')).toBe(false);
    expect(selected(ctx, 'api-calls-python serial')).toBe(true);
    expect(selected(ctx, 'api-calls-python aioboto3')).toBe(false);
    expect(selected(ctx, 's3-download-python headers only')).toBe(true);
    expect(selected(ctx, 's3-download-node')).toBe(false);
    // Regex characters in a name are literal.
    expect(selected({ only: ['a.c'] }, 'abc')).toBe(false);
  });
});
