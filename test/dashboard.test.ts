import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiments } from '../src/experiments/run.js';
import type { ClaimCheck, Experiment, ExperimentOutcome } from '../src/experiments/types.js';
import { categoryChart } from '../src/report/chart-spec.js';
import {
  CHROMIUM,
  checkPage,
  hasChromium,
  launchChromium,
  NO_CHROMIUM,
  type PageCheck,
} from '../src/test-helpers/browser.js';

/**
 * The dashboard and reports of a real (tiny) `lambench run`, in headless Chromium at a desktop and a phone width.
 * The run goes through runExperiments, as `lambench run all` does, with small experiments of its own so the test
 * takes seconds: tunes of the hello functions, a cold-start bar chart, and an experiment that fails.
 * The run folder stays in .lambench/dashboard-test/run/, with the screenshots, for people to look at.
 * LAMBENCH_DASHBOARD_RUN=<dir of a `lambench run`> checks that run's pages too (e.g. of `run all --quick`).
 */
const RUN_DIR = path.resolve('.lambench', 'dashboard-test');

const verdict = (ok: boolean): ClaimCheck['verdict'] => (ok ? 'reproduced' : 'not reproduced');

const helloOverMemory: Experiment = {
  name: 'hello-memory',
  title: 'hello-node over memory (a tiny real tune)',
  source: 'the dashboard test',
  async run(ctx) {
    const sizes = [128, 1024, 3008].filter((m) => m <= ctx.maxFullCpuMB);
    const r = await ctx.tune('hello-node', 'hello-node', {
      memorySizes: sizes,
      payload: { name: 't' },
      invocations: 3,
    });
    const errors = r.configs.reduce((n, c) => n + c.errors, 0);
    const colds = r.configs.filter((c) => c.initDurationMs).length;
    return {
      results: [r],
      claims: [
        {
          claim: 'Every invocation answers',
          published: '-',
          measured: `${errors} errors`,
          verdict: verdict(errors === 0),
          why: 'hello',
        },
        {
          claim: 'Each size starts cold once (the warm-up)',
          published: '-',
          measured: `${colds} of ${r.configs.length} sizes`,
          verdict: verdict(colds === r.configs.length),
          why: 'a new size is a new configuration',
        },
        { claim: 'The same on AWS Lambda', published: '-', measured: '-', verdict: 'not run', why: 'local run' },
      ],
      notes: [],
    };
  },
};

const languages: Experiment = {
  name: 'hello-languages',
  title: 'hello in Node and Python',
  source: 'the dashboard test',
  async run(ctx) {
    const fns = ['hello-node', 'hello-python'].filter((f) => ctx.has(f));
    const results = [];
    for (const fn of fns) {
      results.push(await ctx.tune(fn, fn, { memorySizes: [128, 1024], payload: { name: 't' }, invocations: 2 }));
    }
    const medians = results.map((r) => r.configs.at(-1)?.durationMs?.p50 ?? Number.NaN);
    return {
      results,
      claims: [
        {
          claim: 'Both answer in under a second warm',
          published: '-',
          measured: medians.map((m) => `${m.toFixed(1)} ms`).join(', '),
          verdict: fns.length < 2 ? 'not run' : verdict(medians.every((m) => m < 1000)),
          why: 'hello does nothing',
        },
      ],
      notes: [],
    };
  },
};

const coldStarts: Experiment = {
  name: 'cold-starts',
  title: 'Cold starts outside the tuner',
  source: 'the dashboard test',
  async run(ctx) {
    const init: number[] = [];
    for (const memoryMB of [256, 1024]) {
      init.push((await ctx.invoke('hello-node', {}, { memoryMB, cold: true })).report.initDurationMs ?? Number.NaN);
    }
    const chart = categoryChart(
      {
        id: 'cold-chart',
        title: 'Init Duration',
        x: { title: 'size', categories: ['256 MB', '1024 MB'] },
        y: { title: 'ms' },
        empty: 'none',
      },
      [{ label: 'hello-node', values: init }],
    );
    return {
      results: [],
      claims: [
        {
          claim: 'Every cold start reports an Init Duration',
          published: '-',
          measured: init.map((x) => `${x.toFixed(0)} ms`).join(', '),
          verdict: verdict(init.every((x) => x > 0)),
          why: 'REPORT line',
        },
      ],
      notes: [],
      charts: [chart],
    };
  },
};

const broken: Experiment = {
  name: 'broken',
  title: 'An experiment whose function does not exist',
  source: 'the dashboard test',
  async run(ctx) {
    await ctx.tune('missing', 'no-such-function', { memorySizes: [128], payload: {}, invocations: 1 });
    return { results: [], claims: [], notes: [] };
  },
};

let browser: Browser | undefined;
const screenshots: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  await rm(RUN_DIR, { recursive: true, force: true });
  await runExperiments('test', {
    quick: true,
    outDir: path.join(RUN_DIR, 'run'),
    experiments: [helloOverMemory, languages, coldStarts, broken],
    log: () => {},
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (screenshots.length) console.log(`dashboard test screenshots: ${screenshots.join(', ')}`);
});

async function shot(check: PageCheck, name: string): Promise<void> {
  const file = path.join(RUN_DIR, 'run', name);
  await check.page.screenshot({ path: file, fullPage: true });
  screenshots.push(file);
}

/** Every canvas is a chart with drawn data, nothing went wrong, nothing was fetched, nothing scrolls sideways. */
function expectReadable(check: PageCheck): void {
  expect(check.errors).toEqual([]);
  expect(check.requests).toEqual([]);
  expect(check.overflowPx).toBeLessThanOrEqual(0);
  expect(check.charts.length).toBe(check.canvases);
  for (const chart of check.charts) {
    expect(chart.points, chart.id).toBeGreaterThan(0);
    expect(chart.colouredPixels, chart.id).toBeGreaterThan(20);
  }
}

/** The cards of a run's index: each one not failed shows a chart, and its verdict counts match claims.json. */
async function expectCards(check: PageCheck, runDir: string): Promise<void> {
  const cards = check.page.locator('article.card');
  const n = await cards.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) {
    const card = cards.nth(i);
    const href = (await card.locator('a.details').getAttribute('href')) ?? '';
    const name = href.split('/')[0] ?? '';
    const claimsFile = path.join(runDir, name, 'claims.json');
    if (!existsSync(claimsFile)) {
      await expect(card.locator('.failure').textContent()).resolves.toMatch(/failed: /);
      continue;
    }
    expect(await card.locator('canvas').count(), name).toBe(1);
    const outcome = JSON.parse(await readFile(claimsFile, 'utf8')) as ExperimentOutcome;
    for (const v of ['reproduced', 'not reproduced', 'not run'] as const) {
      const count = outcome.claims.filter((c) => c.verdict === v).length;
      await expect(card.locator(`.chip[title="${v}"] b`).textContent()).resolves.toBe(String(count));
    }
  }
}

describe.skipIf(!hasChromium)(`the dashboard and reports of a run, in headless Chromium (${CHROMIUM})`, () => {
  it('index.html: a card per experiment with its chart and verdict counts, at 1280 and 390 px', async () => {
    const runDir = path.join(RUN_DIR, 'run');
    for (const width of [1280, 390]) {
      const check = await checkPage(browser as Browser, path.join(runDir, 'index.html'), width);
      expectReadable(check);
      await expectCards(check, runDir);
      expect(await check.page.locator('article.card.failed').count()).toBe(1);
      await shot(check, `dashboard-${width}.png`);
      await check.page.close();
    }
  });

  it('one click from a card to its report: PowerTuning view on two axes, log memory axis, legends smaller than plots', async () => {
    const check = await checkPage(browser as Browser, path.join(RUN_DIR, 'run', 'index.html'), 1280);
    await check.page.locator('article.card a.details').first().click();
    await check.page.waitForFunction(() => (window as unknown as { __lambenchCharts?: unknown }).__lambenchCharts);
    expect(check.page.url()).toMatch(/hello-memory\/report\.html$/);
    const scales = await check.page.evaluate(() => {
      const lib = (window as unknown as { Chart: { getChart(id: string): unknown } }).Chart;
      const chart = lib.getChart('powertuning-0') as { scales: Record<string, { type: string }> };
      return Object.fromEntries(Object.entries(chart.scales).map(([k, s]) => [k, s.type]));
    });
    // 128…3008 MB spans more than 20×: memory on a log axis; duration left, cost right.
    expect(scales).toEqual({ x: 'logarithmic', y: expect.any(String), y2: expect.any(String) });
    await check.page.close();
    for (const page of ['hello-memory/report.html', 'hello-languages/report.html', 'hello-languages/index.html']) {
      for (const width of [1280, 390]) {
        const report = await checkPage(browser as Browser, path.join(RUN_DIR, 'run', page), width);
        expectReadable(report);
        const legends = await report.page.evaluate(() => {
          const lib = (window as unknown as { Chart: { instances: Record<string, unknown> } }).Chart;
          return Object.values(lib.instances).map((c) => {
            const chart = c as {
              canvas: HTMLCanvasElement;
              legend: { height: number; options: { display: boolean } };
              chartArea: { top: number; bottom: number };
            };
            const legend = chart.legend.options.display ? chart.legend.height : 0;
            return { id: chart.canvas.id, legend, plot: chart.chartArea.bottom - chart.chartArea.top };
          });
        });
        for (const l of legends) expect(l.legend, `${page} ${l.id}`).toBeLessThan(l.plot);
        if (width === 1280 || page.endsWith('report.html'))
          await shot(report, `${page.replace(/\W+/g, '-')}-${width}.png`);
        await report.page.close();
      }
    }
  });

  it('the tune folder has its own index.html card, one click from its report', async () => {
    const folder = path.join(RUN_DIR, 'run', 'hello-memory', 'hello-node');
    const index = await checkPage(browser as Browser, path.join(folder, 'index.html'), 390);
    expectReadable(index);
    expect(index.charts.map((c) => c.id)).toEqual(['key-0']);
    await expect(index.page.locator('table.headline td').first().textContent()).resolves.toBe('hello-node');
    await index.page.close();
    const report = await checkPage(browser as Browser, path.join(folder, 'report.html'), 1280);
    expectReadable(report);
    expect(report.charts.map((c) => c.id).sort()).toEqual(['init-chart', 'powertuning-0']);
    await report.page.close();
  });

  it.skipIf(!process.env.LAMBENCH_DASHBOARD_RUN)(
    'LAMBENCH_DASHBOARD_RUN: that run’s index and reports',
    async () => {
      const runDir = path.resolve(process.env.LAMBENCH_DASHBOARD_RUN ?? '');
      for (const width of [1280, 390]) {
        const check = await checkPage(browser as Browser, path.join(runDir, 'index.html'), width);
        expectReadable(check);
        await expectCards(check, runDir);
        await check.page.screenshot({ path: path.join(runDir, `dashboard-${width}.png`), fullPage: true });
        await check.page.close();
      }
    },
    120_000,
  );
});

if (!hasChromium) console.warn(NO_CHROMIUM);
