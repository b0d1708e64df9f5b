import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import type { ChartSeries, ChartSpec } from './chart-spec.js';
import { renderCsv } from './csv.js';
import { type PlannedMonthly, renderDashboard, resultsCard } from './dashboard.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

async function writeAtomic(file: string, content: string): Promise<void> {
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
}

export interface ReportFolderOptions {
  /** The month's bill at a planned traffic, for the dashboard card. */
  planned?: PlannedMonthly;
  /** A link from both pages to the dashboard above this folder (an experiment's). */
  back?: { href: string; label: string };
  /** More curves on the report's PowerTuning view (e.g. a fitted duration model through the points). */
  extraSeries?: ChartSeries[];
  /** Charts of their own in the report, after the PowerTuning view and the cold starts. */
  extraCharts?: ChartSpec[];
  /** More links on the card (a plan.html beside the run). */
  links?: Array<{ label: string; href: string }>;
}

/** The folder's index.html: one card with the PowerTuning view and the headline figures, one click to the report. */
export function reportFolderIndex(result: TuneResult, options: ReportFolderOptions = {}): string {
  const card = resultsCard(
    {
      title: result.function,
      href: 'report.html',
      subtitle: result.recommendation,
      links: [
        { label: 'summary.md', href: 'summary.md' },
        { label: 'results.csv', href: 'results.csv' },
        { label: 'result.json', href: 'result.json' },
        ...(options.links ?? []),
      ],
    },
    [result],
    'key-0',
    { planned: () => options.planned },
  );
  return renderDashboard({
    title: `lambench: ${result.function}`,
    subtitle: `${result.target}, ${result.configs.length} memory sizes, strategy ${result.strategy}`,
    cards: [card],
    ...(options.back ? { back: options.back } : {}),
  });
}

/** result.json, invocations.jsonl, index.html, report.html, summary.md and results.csv in one folder. */
export async function writeReportFolder(
  dir: string,
  result: TuneResult,
  records: InvocationRecord[],
  options: ReportFolderOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(path.join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeAtomic(path.join(dir, 'invocations.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await writeAtomic(
    path.join(dir, 'report.html'),
    renderHtml([result], {
      back: { href: 'index.html', label: 'overview' },
      ...(options.extraSeries ? { extraSeries: () => options.extraSeries ?? [] } : {}),
      ...(options.extraCharts ? { extraCharts: options.extraCharts } : {}),
    }),
  );
  await writeAtomic(path.join(dir, 'index.html'), reportFolderIndex(result, options));
  await writeAtomic(path.join(dir, 'summary.md'), renderMarkdown(result));
  await writeAtomic(path.join(dir, 'results.csv'), renderCsv(result));
}

/** The back link of an index.html written here (our own markup): the one thing on the page result.json does not hold. */
function backLink(html: string): { href: string; label: string } | undefined {
  const m = /<nav class="back"><a href="([^"]*)">← ([^<]*)<\/a><\/nav>/.exec(html);
  const fromHtml = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return m?.[1] !== undefined && m[2] !== undefined ? { href: fromHtml(m[1]), label: fromHtml(m[2]) } : undefined;
}

/**
 * Rewrites a run folder's index.html with more on its card (the month at a planned traffic), keeping its back link.
 * False, and nothing written, when `dir` holds no result.json of `functionName` (a plan written elsewhere).
 */
export async function refreshFolderIndex(
  dir: string,
  functionName: string,
  options: Pick<ReportFolderOptions, 'planned' | 'links'>,
): Promise<boolean> {
  let result: TuneResult;
  try {
    result = JSON.parse(await readFile(path.join(dir, 'result.json'), 'utf8')) as TuneResult;
  } catch {
    return false;
  }
  if (result.function !== functionName || !Array.isArray(result.configs)) return false;
  const back = backLink(await readFile(path.join(dir, 'index.html'), 'utf8').catch(() => ''));
  await writeAtomic(path.join(dir, 'index.html'), reportFolderIndex(result, { ...options, ...(back ? { back } : {}) }));
  return true;
}
