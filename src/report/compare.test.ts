import { describe, expect, it } from 'vitest';
import { buildConfigResult } from '../tuner/results.js';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import { compareTableHtml, compareTableMarkdown, labelRuns } from './compare.js';

const record = (memoryMB: number, durationMs: number): InvocationRecord => ({
  memoryMB,
  requestId: `r-${memoryMB}`,
  cold: false,
  durationMs,
  billedDurationMs: Math.ceil(durationMs),
  initDurationMs: null,
  maxMemoryUsedMB: 50,
  functionError: null,
  errorType: null,
  clientMs: durationMs + 1,
  startedAt: new Date(0).toISOString(),
});

function result(fn: string, sizes: number[], best: number): TuneResult {
  const configs = sizes.map((m) =>
    buildConfigResult(m, [record(m, 25_600 / m)], { architecture: 'x86_64', region: 'us-east-1', cpuCapped: false }),
  );
  return { function: fn, best: { memoryMB: best, durationMs: 1, costUSD: 1 }, configs } as TuneResult;
}

describe('compare table', () => {
  it('labels runs by function and run folder, so two runs of one function differ', () => {
    const a = result('cpu-node', [128], 128);
    const labels = labelRuns([
      { result: a, folder: 'before' },
      { result: a, folder: 'after' },
      { result: a, folder: 'after' },
    ]).map((r) => r.label);
    expect(labels).toEqual(['cpu-node (before)', 'cpu-node (after)', 'cpu-node (after) #2']);
  });

  it('puts memory sizes as rows (union of the runs) and each run as p50 and cost / 1M columns', () => {
    const runs = labelRuns([
      { result: result('cpu-node', [128, 256], 256), folder: 'a' },
      { result: result('cpu-node', [128, 512], 128), folder: 'b' },
    ]);
    const md = compareTableMarkdown(runs).split('\n');
    expect(md[0]).toBe(
      '| memory (MB) | cpu-node (a) p50 ms | cpu-node (a) cost / 1M | cpu-node (b) p50 ms | cpu-node (b) cost / 1M |',
    );
    expect(md.slice(2, 5).map((row) => row.split(' | ')[0])).toEqual(['| 128', '| 256', '| 512']);
    // 128 MB: 200 ms in both runs, the best of run b only; 512 MB: not measured by run a.
    expect(md[2]).toMatch(/^\| 128 \| 200 \| \$[\d.]+ \| \*\*200\*\* \| \*\*\$[\d.]+\*\* \|$/);
    expect(md[4]).toMatch(/^\| 512 \| {2}\| {2}\| 50\.0 \| \$[\d.]+ \|$/);
    const html = compareTableHtml(runs);
    expect(html).toContain('<th colspan="2">cpu-node (a)</th><th colspan="2">cpu-node (b)</th>');
    expect(html.match(/<tr><td>\d+<\/td>/g)).toHaveLength(3);
  });
});
