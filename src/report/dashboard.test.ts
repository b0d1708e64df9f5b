import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfigResult } from '../tuner/results.js';
import { chooseBest } from '../tuner/strategy.js';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import { cardRow, countVerdicts, renderDashboard, resultsCard } from './dashboard.js';
import { refreshFolderIndex, reportFolderIndex } from './folder.js';

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

  it("shows a plan's headline under the card's table, escaped, named by row when there are several", () => {
    const planned = { traffic: '20/s', monthlyUSD: 45.5, headline: 'arm64 on-demand 512 MB: $45.50/month at 20/s <x>' };
    const one = renderDashboard({
      title: 't',
      cards: [resultsCard({ title: 'a', href: 'a' }, [result], 'k', { planned: () => planned })],
    });
    expect(one).toContain('<p class="planned">plan: arm64 on-demand 512 MB: $45.50/month at 20/s &lt;x&gt;</p>');
    const two = renderDashboard({
      title: 't',
      cards: [
        resultsCard({ title: 'a', href: 'a' }, [result, { ...result, function: 'g' }], 'k', {
          planned: (r) => (r.function === 'g' ? planned : undefined),
        }),
      ],
    });
    expect(two.match(/class="planned"/g)).toHaveLength(1);
    expect(two).toContain('<p class="planned">g: plan: arm64');
    const none = renderDashboard({ title: 't', cards: [resultsCard({ title: 'a', href: 'a' }, [result], 'k')] });
    expect(none).not.toContain('class="planned"');
  });

  it('refreshFolderIndex puts the plan on a run folder’s card and keeps its back link; other folders untouched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-dashboard-'));
    try {
      const planned = { traffic: '20/s', monthlyUSD: 1, headline: 'x86_64 on-demand 128 MB: $1.00/month at 20/s' };
      expect(await refreshFolderIndex(dir, result.function, { planned })).toBe(false);
      await writeFile(path.join(dir, 'result.json'), JSON.stringify(result));
      const back = { href: '../index.html', label: 'Memory & "CPU"' };
      await writeFile(path.join(dir, 'index.html'), reportFolderIndex(result, { back }));
      expect(await refreshFolderIndex(dir, 'another-function', { planned })).toBe(false);
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).not.toContain('class="planned"');
      const links = [{ label: 'plan.html', href: 'plan.html' }];
      expect(await refreshFolderIndex(dir, result.function, { planned, links })).toBe(true);
      const html = await readFile(path.join(dir, 'index.html'), 'utf8');
      expect(html).toBe(reportFolderIndex(result, { planned, links, back }));
      expect(html).toContain(`plan: ${planned.headline}`);
      expect(html).toContain('<a href="plan.html">plan.html</a>');
      expect(html).toContain('← Memory &amp; &quot;CPU&quot;</a>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
