import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPlanHtml } from './html.js';
import { planTraffic } from './plan.js';
import { fixture } from './test-helpers/fixture.js';

const CHROMIUM = '/usr/bin/chromium';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-plan-html-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('plan.html in headless Chromium (apt-get install chromium)', () => {
  it('draws both traffic charts with data, no console errors, no network, at 1280 and 390 px', async () => {
    const { result, records } = fixture('x86_64', { 512: 100, 1024: 60 });
    const plan = planTraffic(result, '20/s', { budget: 20_000, sweepBudget: 3_000, records: [records] });
    const file = path.join(dir, 'plan.html');
    await writeFile(file, renderPlanHtml(plan));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      for (const width of [1280, 390]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(e.message));
        await page.route('**/*', (route) => {
          if (route.request().url().startsWith('file:')) return route.continue();
          requests.push(route.request().url());
          return route.abort();
        });
        await page.goto(pathToFileURL(file).href);
        await page.waitForFunction(() => (window as unknown as { __lambenchCharts?: unknown }).__lambenchCharts);
        const charts = await page.evaluate(
          () => (window as unknown as { __lambenchCharts: Array<{ id: string; points: number }> }).__lambenchCharts,
        );
        expect(charts.map((c) => c.id).sort()).toEqual(['cold-traffic-chart', 'cost-traffic-chart']);
        // Six families × 11 traffic points, the planned-traffic marker; on-demand x86_64 at both idle ends.
        expect(charts.find((c) => c.id === 'cost-traffic-chart')?.points).toBe(6 * 11 + 1);
        expect(charts.find((c) => c.id === 'cold-traffic-chart')?.points).toBe(2 * 11);
        expect(await page.locator('#plan-verdict').textContent()).toContain(plan.winner?.label ?? '?');
        expect(await page.locator('tr.best').count()).toBe(1);
        // Nothing wider than the viewport but the table, which scrolls in its own box.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        await page.screenshot({ path: path.join(os.tmpdir(), `lambench-plan-${width}.png`), fullPage: true });
        expect(errors).toEqual([]);
        expect(requests).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
