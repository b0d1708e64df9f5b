import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const NO_CHROMIUM = `chromium not found at ${CHROMIUM} (apt-get install chromium): browser checks skipped`;

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface ChartCheck {
  id: string;
  /** Data points Chart.js laid out inside the plot area. */
  points: number;
  /** Saturated pixels in the plot area: the data's colours (axes, grid and text are grey). */
  colouredPixels: number;
}

export interface PageCheck {
  charts: ChartCheck[];
  /** Canvases on the page (each must be a drawn chart). */
  canvases: number;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Requests to anything but file: URLs (a report must open without a network). */
  requests: string[];
  /** documentElement.scrollWidth − the viewport's width (> 0: the page scrolls sideways). */
  overflowPx: number;
  page: Page;
}

/**
 * Opens a report at a viewport width and reads back what a person would see: every canvas's chart, with its data
 * points and the coloured pixels inside the plot area, console errors, network requests and horizontal overflow.
 */
export async function checkPage(browser: Browser, file: string, width: number): Promise<PageCheck> {
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
  const canvases = await page.locator('canvas').count();
  if (canvases > 0) {
    await page.waitForFunction(() => (window as unknown as { __lambenchCharts?: unknown }).__lambenchCharts, null, {
      timeout: 10_000,
    });
  }
  const charts = await page.evaluate(() => {
    type ChartLike = {
      chartArea: { left: number; top: number; right: number; bottom: number };
      getDatasetMeta(i: number): { data: Array<{ x: number; y: number }>; hidden: boolean | null };
      data: { datasets: unknown[] };
    };
    const lib = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }).Chart;
    return [...document.querySelectorAll('canvas')].map((canvas) => {
      const chart = lib?.getChart(canvas);
      if (!chart) return { id: canvas.id, points: 0, colouredPixels: 0 };
      const a = chart.chartArea;
      let points = 0;
      chart.data.datasets.forEach((_, i) => {
        for (const el of chart.getDatasetMeta(i).data) {
          if (el.x >= a.left - 1 && el.x <= a.right + 1 && el.y >= a.top - 1 && el.y <= a.bottom + 1) points++;
        }
      });
      const ratio = canvas.width / canvas.clientWidth;
      const ctx = canvas.getContext('2d');
      const w = Math.max(1, Math.floor((a.right - a.left) * ratio));
      const h = Math.max(1, Math.floor((a.bottom - a.top) * ratio));
      const pixels = ctx?.getImageData(Math.floor(a.left * ratio), Math.floor(a.top * ratio), w, h).data;
      let colouredPixels = 0;
      for (let i = 0; pixels && i < pixels.length; i += 4) {
        const [r, g, b, alpha] = [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0, pixels[i + 3] ?? 0];
        if (alpha > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) colouredPixels++;
      }
      return { id: canvas.id, points, colouredPixels };
    });
  });
  const overflowPx = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  return { charts, canvases, errors, requests, overflowPx, page };
}
