import { describe, expect, it } from 'vitest';
import { modelDuration } from '../model/duration-model.js';
import { buildConfigResult } from '../tuner/results.js';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { tuneModelFit } from './model-fit.js';

const truth = { cpuMs: 200, ioMs: 20, parallelism: 2 };
const host = (m: number) => ({ cpuShare: Math.min(m / 1769, 2), visibleCpus: 2 });

function tuned(sizes: number[]): TuneResult {
  const configs = sizes.map((memoryMB) => {
    const d = modelDuration(truth, memoryMB, host(memoryMB));
    const records: InvocationRecord[] = Array.from({ length: 5 }, (_, i) => ({
      memoryMB,
      requestId: `r-${memoryMB}-${i}`,
      cold: false,
      durationMs: d * (1 + (i - 2) * 0.01),
      billedDurationMs: Math.ceil(d),
      initDurationMs: null,
      maxMemoryUsedMB: 50,
      functionError: null,
      errorType: null,
      clientMs: d + 1,
      startedAt: new Date(0).toISOString(),
    }));
    return buildConfigResult(memoryMB, records, {
      architecture: 'x86_64',
      region: 'us-east-1',
      cpuCapped: memoryMB > 3538,
      visibleCpus: 2,
    });
  });
  return {
    function: 'cpu-node',
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
      hostCpus: 2,
      node: process.version,
      cappedMemorySizes: [],
      startedAt: new Date(0).toISOString(),
      finishedAt: new Date(0).toISOString(),
    },
  };
}

/** Every series of the page's chart specs (the JSON html-charts.ts draws from). */
function chartSeries(html: string): Array<{ label: string; style?: string; points: Array<{ x: number; y: number }> }> {
  const json =
    /<script type="application\/json" id="lambench-charts">(.*?)<\/script>/s.exec(html)?.[1] ?? '{"specs":[]}';
  const page = JSON.parse(json) as { specs: Array<{ series: ReturnType<typeof chartSeries> }> };
  return page.specs.flatMap((spec) => spec.series);
}

describe('the duration model in tune reports', () => {
  it('fits a finished tune, draws the curve through its points and names parallelism and I/O share', () => {
    const result = tuned([128, 512, 1024, 1769, 3008]);
    const fit = tuneModelFit(result);
    expect(fit?.model.parallelism).toBeGreaterThan(1.5);
    expect(fit?.curve[0]).toEqual({ x: 128, y: expect.any(Number) });
    expect(fit?.curve.at(-1)?.x).toBe(3008);
    for (const c of result.configs) {
      const near = fit?.curve.reduce((a, b) => (Math.abs(b.x - c.memoryMB) < Math.abs(a.x - c.memoryMB) ? b : a));
      if (near?.x === c.memoryMB) expect(near.y / (c.durationMs?.p50 ?? 1)).toBeCloseTo(1, 1);
    }
    expect(renderMarkdown(result)).toMatch(
      /Duration model .*: parallelism 1\.\d\d[^,]*, I\/O \d+ % of the duration at 1769 MB/,
    );
    const html = renderHtml([result]);
    expect(html).toContain('class="model-fit"');
    expect(chartSeries(html)).toContainEqual(expect.objectContaining({ label: 'model fit', style: 'dotted' }));
    expect(chartSeries(html).find((s) => s.label === 'model fit')?.points[0]).toMatchObject({ x: 128 });
  });

  it('says nothing when the sizes cannot separate CPU from I/O', () => {
    const result = tuned([1769, 3008]);
    expect(tuneModelFit(result)).toBeNull();
    expect(renderMarkdown(result)).not.toMatch(/Duration model/);
    expect(chartSeries(renderHtml([result])).map((s) => s.label)).not.toContain('model fit');
  });
});
