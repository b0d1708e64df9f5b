import { describe, expect, it } from 'vitest';
import { buildConfigResult } from '../tuner/results.js';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

const records = (memoryMB: number, n: number): InvocationRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    memoryMB,
    requestId: `r-${memoryMB}-${i}`,
    cold: false,
    durationMs: 100 + i,
    billedDurationMs: 101 + i,
    initDurationMs: null,
    maxMemoryUsedMB: 50,
    functionError: null,
    errorType: null,
    clientMs: 102 + i,
    startedAt: new Date(0).toISOString(),
  }));

function result(counts: Record<number, number>): TuneResult {
  const configs = Object.entries(counts).map(([m, n]) =>
    buildConfigResult(Number(m), records(Number(m), n), {
      architecture: 'x86_64',
      region: 'us-east-1',
      cpuCapped: false,
    }),
  );
  return {
    function: 'f',
    target: 'local',
    strategy: 'cost',
    balancedWeight: 0.5,
    best: null,
    recommendation: '',
    configs,
    visualization: 'https://lambda-power-tuning.show/#',
    environment: {
      target: 'local',
      region: 'us-east-1',
      architecture: 'x86_64',
      node: process.version,
      cappedMemorySizes: [],
      startedAt: '',
      finishedAt: '',
    },
  };
}

describe('median CI in the reports', () => {
  it('marks [min, max] intervals of fewer than 6 invocations and says what they cover', () => {
    const md = renderMarkdown(result({ 128: 3, 256: 5, 512: 10 }));
    expect(md).toMatch(/\| 128 \| 3 \| 0 \| 101 \[100–102\]† \|/);
    expect(md).toMatch(/\| 256 \| 5 \| 0 \| 102 \[100–104\]† \|/);
    expect(md).toMatch(/\| 512 \| 10 \| 0 \| 105 \[101–108\] \|/);
    expect(md).toContain(
      '† fewer than 6 successful invocations: the bracket is [min, max], not a 95 % CI; it holds the median with probability 93.8 % at n = 5, 75.0 % at n = 3.',
    );
    const html = renderHtml([result({ 128: 3 })]);
    expect(html).toContain('[100–102]<sup>†</sup>');
    expect(html).toContain('<p class="footnote"><small>† fewer than 6 successful invocations');
  });

  it('adds no footnote when every interval is a real 95 % CI', () => {
    expect(renderMarkdown(result({ 128: 6, 256: 20 }))).not.toContain('†');
    expect(renderHtml([result({ 128: 6 })])).not.toContain('class="footnote"');
  });
});

describe('runtime in the reports', () => {
  it('names the runtime and the version it ran on', () => {
    const ran = result({ 128: 6 });
    ran.environment = { ...ran.environment, runtime: 'nodejs22.x', runtimeVersion: 'v22.23.5' };
    expect(renderMarkdown(ran)).toContain('Runtime nodejs22.x (ran on v22.23.5).');
    expect(renderHtml([ran])).toContain('<dt>runtime</dt><dd>nodejs22.x (ran on v22.23.5)</dd>');
  });
});
