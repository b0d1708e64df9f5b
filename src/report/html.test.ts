import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, hasChromium, launchChromium } from '../test-helpers/browser.js';
import { buildConfigResult } from '../tuner/results.js';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import { renderHtml } from './html.js';

function records(memoryMB: number, base: number): InvocationRecord[] {
  return Array.from({ length: 10 }, (_, i) => ({
    memoryMB,
    requestId: `r-${memoryMB}-${i}`,
    cold: i === 0,
    durationMs: base * (1 + (i % 3) * 0.05),
    billedDurationMs: Math.ceil(base * (1 + (i % 3) * 0.05)) + (i === 0 ? 120 : 0),
    initDurationMs: i === 0 ? 120 + memoryMB / 100 : null,
    maxMemoryUsedMB: 60,
    functionError: null,
    errorType: null,
    clientMs: base + 1,
    startedAt: new Date(0).toISOString(),
  }));
}

function result(name: string, factor: number): TuneResult {
  const configs = [128, 512, 1024, 1769].map((m) =>
    buildConfigResult(m, records(m, (factor * 1769) / m), {
      architecture: 'x86_64',
      region: 'us-east-1',
      cpuCapped: false,
    }),
  );
  return {
    function: name,
    target: 'local',
    strategy: 'cost',
    balancedWeight: 0.5,
    best: { memoryMB: 512, durationMs: 100, costUSD: 1e-6 },
    recommendation: '512 MB (cheapest): 20 % cheaper than 1769 MB.',
    configs,
    visualization: 'https://lambda-power-tuning.show/#AA==;AA==;AA==',
    environment: {
      target: 'local',
      region: 'us-east-1',
      architecture: 'x86_64',
      isolation: 'cgroup-v1',
      hostCpus: 2,
      cpuModel: 'test',
      initCpuBoost: true,
      node: process.version,
      cappedMemorySizes: [],
      startedAt: new Date(0).toISOString(),
      finishedAt: new Date(0).toISOString(),
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-html-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('HTML report in headless Chromium (apt-get install chromium)', () => {
  it('renders every chart with data, no console errors and no network', async () => {
    const file = path.join(dir, 'report.html');
    await writeFile(file, renderHtml([result('cpu-node', 20), result('cpu-python', 60)]));
    const browser = await launchChromium();
    try {
      const { charts, errors, requests, page } = await checkPage(browser, file, 1280);
      expect(charts.map((c) => c.id).sort()).toEqual([
        'cost-chart',
        'duration-chart',
        'init-chart',
        'powertuning-0',
        'powertuning-1',
      ]);
      for (const chart of charts) expect(chart.points).toBeGreaterThan(0);
      expect(await page.locator('tr.best').count()).toBe(2);
      await page.screenshot({ path: path.join(os.tmpdir(), 'lambench-report.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('labels two runs of one function apart in the chart legends and headings', async () => {
    const file = path.join(dir, 'labels.html');
    const labels = ['cpu-node (before)', 'cpu-node (after)'];
    await writeFile(file, renderHtml([result('cpu-node', 20), result('cpu-node', 30)], { labels }));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => (window as unknown as { __lambenchCharts?: unknown }).__lambenchCharts);
      const legends = await page.evaluate(() => {
        const chart = (window as unknown as { Chart: { instances: Record<string, unknown> } }).Chart;
        return Object.values(chart.instances).flatMap((c) =>
          (c as { data: { datasets: Array<{ label: string }> } }).data.datasets.map((d) => d.label),
        );
      });
      expect(legends).toContain('cpu-node (before) median');
      expect(legends).toContain('cpu-node (after) median');
      // The shared legend names each run once.
      expect(await page.locator('ul.legend li').allInnerTexts()).toEqual(labels);
      expect(await page.locator('h2').allInnerTexts()).toEqual([
        expect.stringMatching(/^cpu-node \(before\)/),
        expect.stringMatching(/^cpu-node \(after\)/),
      ]);
    } finally {
      await browser.close();
    }
  });

  it('six functions on one page (csv-etl): legends never take more room than the plot, at 1280 and 390 px', async () => {
    const { checkPage, launchChromium } = await import('../test-helpers/browser.js');
    const file = path.join(dir, 'six.html');
    const names = ['rust', 'node', 'node-csvparse', 'node-polars', 'python-polars', 'python-pandas'];
    await writeFile(file, renderHtml(names.map((n, i) => result(`csv-etl-${n}`, 10 * (i + 1)))));
    const browser = await launchChromium();
    try {
      for (const width of [1280, 390]) {
        const check = await checkPage(browser, file, width);
        expect(check.errors).toEqual([]);
        expect(check.overflowPx).toBeLessThanOrEqual(0);
        const legends = await check.page.evaluate(() =>
          Object.values((window as unknown as { Chart: { instances: Record<string, unknown> } }).Chart.instances).map(
            (c) => {
              const chart = c as {
                legend: { height: number; options: { display: boolean } };
                chartArea: { top: number; bottom: number };
              };
              return {
                legend: chart.legend.options.display ? chart.legend.height : 0,
                plot: chart.chartArea.bottom - chart.chartArea.top,
              };
            },
          ),
        );
        expect(legends).toHaveLength(9);
        for (const l of legends) expect(l.legend).toBeLessThan(l.plot / 2);
        for (const chart of check.charts) expect(chart.colouredPixels, chart.id).toBeGreaterThan(20);
        const shared = await check.page.locator('ul.legend').boundingBox();
        const plot = await check.page.locator('#duration-chart').boundingBox();
        expect(shared?.height ?? 0).toBeLessThan(plot?.height ?? 0);
        await check.page.screenshot({ path: path.join(os.tmpdir(), `lambench-six-${width}.png`), fullPage: true });
        await check.page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
