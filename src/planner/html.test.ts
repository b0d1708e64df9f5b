import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, hasChromium, launchChromium, NO_CHROMIUM } from '../test-helpers/browser.js';
import { renderPlanHtml } from './html.js';
import { planTraffic } from './plan.js';
import { fixture } from './test-helpers/fixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-plan-html-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

if (!hasChromium) console.warn(NO_CHROMIUM);

describe.skipIf(!hasChromium)('plan.html in headless Chromium (apt-get install chromium)', () => {
  it('draws both traffic charts with data, no console errors, no network, at 1280 and 390 px', async () => {
    const { result, records } = fixture('x86_64', { 512: 100, 1024: 60 });
    const plan = planTraffic(result, '20/s', { budget: 20_000, sweepBudget: 3_000, records: [records] });
    const file = path.join(dir, 'plan.html');
    await writeFile(file, renderPlanHtml(plan));
    const browser = await launchChromium();
    try {
      for (const width of [1280, 390]) {
        const { charts, canvases, errors, requests, overflowPx, page } = await checkPage(browser, file, width);
        expect(canvases).toBe(2);
        expect(charts.map((c) => c.id).sort()).toEqual(['cold-traffic-chart', 'cost-traffic-chart']);
        // Points laid out inside the plot: six families × 11 traffic points and the planned-traffic marker;
        // on-demand x86_64 (the one architecture measured) at both idle ends.
        expect(charts.find((c) => c.id === 'cost-traffic-chart')?.points).toBe(6 * 11 + 1);
        expect(charts.find((c) => c.id === 'cold-traffic-chart')?.points).toBe(2 * 11);
        for (const c of charts) expect(c.colouredPixels, c.id).toBeGreaterThan(200);
        // Traffic spans 0.001× to 100×: a log axis, labelled at powers of ten in compact form (no 10-digit labels).
        const x = await page.evaluate(() => {
          type Scale = { type: string; ticks: Array<{ label: string | string[] }> };
          const lib = (window as unknown as { Chart: { getChart(id: string): { scales: { x: Scale } } } }).Chart;
          const scale = lib.getChart('cost-traffic-chart').scales.x;
          return { type: scale.type, labels: scale.ticks.map((t) => String(t.label)).filter(Boolean) };
        });
        expect(x.type).toBe('logarithmic');
        expect(x.labels.length).toBeGreaterThan(2);
        for (const label of x.labels) expect(label).toMatch(/^\d+(\.\d+)?[KMB]?$/);
        expect(await page.locator('#plan-verdict').textContent()).toContain(plan.winner?.label ?? '?');
        expect(await page.locator('tr.best').count()).toBe(1);
        // Nothing wider than the viewport but the table, which scrolls in its own box.
        expect(overflowPx).toBeLessThanOrEqual(0);
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
