import { describe, expect, it } from 'vitest';
import { buildConfigResult } from '../tuner/results.js';
import { chooseBest } from '../tuner/strategy.js';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import { cardRow, countVerdicts, renderDashboard, resultsCard } from './dashboard.js';

/** n invocations of `ms` each at a size, the first one cold with `initMs`. */
function records(memoryMB: number, ms: number, initMs: number): InvocationRecord[] {
  return Array.from({ length: 6 }, (_, i) => ({
    memoryMB,
    requestId: `${memoryMB}-${i}`,
    cold: i === 0,
    durationMs: ms,
    billedDurationMs: Math.ceil(ms),
    initDurationMs: i === 0 ? initMs : null,
    maxMemoryUsedMB: 50,
    functionError: null,
    errorType: null,
    clientMs: ms,
    startedAt: new Date(0).toISOString(),
  }));
}

// 128 MB is cheapest, 1769 MB fastest.
const durations: Record<number, number> = { 128: 1800, 512: 480, 1024: 250, 1769: 150 };
const result: TuneResult = {
  function: 'cpu-node',
  target: 'local',
  strategy: 'balanced',
  balancedWeight: 0.5,
  best: { memoryMB: 1024, durationMs: 250, costUSD: 0 },
  recommendation: '1024 MB',
  configs: Object.entries(durations).map(([m, ms]) =>
    buildConfigResult(Number(m), records(Number(m), ms, 300 - Number(m) / 10), {
      architecture: 'x86_64',
      region: 'us-east-1',
      cpuCapped: false,
    }),
  ),
  visualization: '',
  environment: {
    target: 'local',
    region: 'us-east-1',
    architecture: 'x86_64',
    node: 'v24',
    cappedMemorySizes: [],
    startedAt: '',
    finishedAt: '',
  },
};

describe('dashboard cards', () => {
  it('headline figures: best size per strategy, cold start and cost per 1M at the tune’s best size', () => {
    const row = cardRow(result);
    expect(row.best.cost).toBe(128);
    expect(row.best.speed).toBe(1769);
    expect(row.best.balanced).toBe(chooseBest(result.configs, { strategy: 'balanced', balancedWeight: 0.5 })?.memoryMB);
    expect(row.coldStartMs).toBeCloseTo(300 - 102.4);
    const at1024 = result.configs.find((c) => c.memoryMB === 1024)?.costUSD?.per1M;
    expect(row.per1M).toBe(at1024);
    expect(row.planned).toBeUndefined();
  });

  it('shows the month at the planned traffic only when a plan gives it', () => {
    const without = renderDashboard({ title: 't', cards: [resultsCard({ title: 'a', href: 'a' }, [result], 'k')] });
    expect(without).not.toContain('$ / month');
    const planned = resultsCard({ title: 'a', href: 'a' }, [result], 'k', {
      planned: () => ({ traffic: '50/s steady', monthlyUSD: 123.456, memoryMB: 1024 }),
    });
    const html = renderDashboard({ title: 't', cards: [planned] });
    expect(html).toContain('$ / month<br><small>50/s steady</small>');
    expect(html).toContain('>$123.46</td>');
  });

  it('colours verdicts, counts them, and marks failures', () => {
    const counts = countVerdicts([{ verdict: 'reproduced' }, { verdict: 'not run' }, { verdict: 'reproduced' }]);
    expect(counts).toEqual({ reproduced: 2, 'not reproduced': 0, 'not run': 1 });
    const html = renderDashboard({
      title: 'run <1>',
      cards: [
        { ...resultsCard({ title: 'ok', href: 'ok/report.html', verdicts: counts }, [result], 'k0') },
        { title: 'bad <x>', href: 'bad/report.html', failed: 'boom <script>', rows: [] },
      ],
    });
    expect(html).toContain('<article class="card ok">');
    expect(html).toContain('<article class="card failed">');
    expect(html).toContain('failed: boom &lt;script&gt;');
    expect(html).toContain('<span class="chip ok" title="reproduced"><b>2</b> reproduced</span>');
    expect(html).toContain('<span class="chip bad"><b>1</b> failed</span>');
    expect(html).toContain('<canvas id="k0"');
    expect(html).not.toContain('bad <x>');
  });
});
