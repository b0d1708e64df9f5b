import type { TuneResult } from '../tuner/types.js';
import { assignColours, type ChartSeries, type ChartSpec } from './chart-spec.js';
import { initChart, overviewCharts, powerTuningChart } from './charts.js';
import {
  errorsCell,
  escapeHtml,
  monthlyHeading,
  ms,
  networkLabel,
  precisionCell,
  pricingLabel,
  samplingLine,
  usd,
  weakCi,
  weakCiNote,
} from './format.js';
import { CHART_CSS, chartFigure, chartScripts, scriptJson, sharedLegend } from './html-charts.js';
import { tuneModelFit } from './model-fit.js';

function table(result: TuneResult): string {
  const adaptive = result.sampling?.precision !== undefined;
  const rows = result.configs
    .map((c) => {
      const d = c.durationMs;
      const best = result.best?.memoryMB === c.memoryMB;
      const errors = escapeHtml(errorsCell(c));
      return `<tr class="${best ? 'best' : ''}"><td>${c.memoryMB}${c.cpuCapped ? ' <span class="tag">CPU capped</span>' : ''}</td><td>${c.invocations}</td><td>${errors}</td><td>${ms(d?.p50)} <small>[${ms(d?.ci95[0])}–${ms(d?.ci95[1])}]${weakCi(d) ? '<sup>†</sup>' : ''}</small></td><td>${ms(d?.trimmedMean)}</td><td>${ms(d?.p90)}</td><td>${ms(d?.p99)}</td><td>${ms(c.initDurationMs?.p50)}</td><td>${c.maxMemoryUsedMB}</td><td>${usd(c.costUSD?.perInvocation)}</td><td>${usd(c.costUSD?.per1M)}</td>${result.monthly ? `<td>${usd(c.costUSD?.perMonth)}</td>` : ''}${adaptive ? `<td>${escapeHtml(precisionCell(c))}</td>` : ''}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>memory MB</th><th>invocations</th><th>errors</th><th>median ms [95 % CI]</th><th>trimmed mean</th><th>p90</th><th>p99</th><th>init p50</th><th>max memory MB</th><th>cost / invocation</th><th>cost / 1M</th>${result.monthly ? `<th>${escapeHtml(monthlyHeading(result.monthly))}</th>` : ''}${adaptive ? '<th>precision</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>`;
}

function environment(result: TuneResult): string {
  const e = result.environment;
  const facts = [
    ['target', e.target === 'local' ? 'local engine' : `AWS Lambda (${e.region})`],
    ['isolation', e.isolation ?? 'n/a'],
    ['runtime', e.runtime ? `${e.runtime}${e.runtimeVersion ? ` (ran on ${e.runtimeVersion})` : ''}` : 'n/a'],
    ['host', e.hostCpus ? `${e.hostCpus} CPUs, ${e.cpuModel ?? ''}` : 'n/a'],
    ['init CPU boost', e.initCpuBoost === undefined ? 'n/a' : e.initCpuBoost ? 'on' : 'off'],
    ['CPU capped at', e.cappedMemorySizes.length ? `${e.cappedMemorySizes.join(', ')} MB` : 'none'],
    ['pricing', pricingLabel(e)],
    ['network', networkLabel(e.network)],
    ['run', `${e.startedAt} → ${e.finishedAt}`],
  ];
  return `<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(String(v))}</dd>`).join('')}</dl>`;
}

function ciFootnote(r: TuneResult): string {
  const note = weakCiNote(r.configs.flatMap((c) => (c.durationMs ? [c.durationMs.count] : [])));
  return note ? `<p class="footnote"><small>${escapeHtml(note)}</small></p>` : '';
}

function modelNote(r: TuneResult): string {
  const fit = tuneModelFit(r);
  return fit ? `<p class="model-fit">${escapeHtml(fit.text)}</p>` : '';
}

/** The duration model fitted to a result's medians (report/model-fit.ts), drawn through its points. */
function modelSeries(r: TuneResult): ChartSeries[] {
  const fit = tuneModelFit(r);
  return fit ? [{ label: 'model fit', points: fit.curve, style: 'dotted', group: 'model fit' }] : [];
}

function section(r: TuneResult, label: string, chart: ChartSpec | undefined): string {
  const about = `${r.target}, strategy ${r.strategy}, priced as ${pricingLabel(r.environment)}`;
  return `<section><h2>${escapeHtml(label)} <small>${escapeHtml(about)}</small></h2>
<p class="recommendation">${escapeHtml(r.recommendation)}</p>${chart ? `<div class="charts">${chartFigure(chart)}</div>` : ''}
<div class="table-wrap">${table(r)}</div>${ciFootnote(r)}${r.sampling ? `<p class="sampling">${escapeHtml(samplingLine(r))}</p>` : ''}${modelNote(r)}${environment(r)}
<p><a href="${escapeHtml(r.visualization)}">Open in the Lambda Power Tuning UI</a></p></section>`;
}

export interface HtmlOptions {
  title?: string;
  /** HTML placed above the charts (compare: the combined table; experiments: the claims). */
  intro?: string;
  /** PowerTuning's two-run comparison URL. */
  visualization?: string;
  /** One per result, for headings and chart legends (default: the function name). */
  labels?: string[];
  /** More curves on a result's PowerTuning chart (the fitted model, the published curve scaled to ours). */
  extraSeries?: (result: TuneResult, index: number) => ChartSeries[];
  /** Whole charts of their own, after the overview (e.g. cost against traffic). Ids must be unique on the page. */
  extraCharts?: ChartSpec[];
  /** A link back to the dashboard above this report. */
  back?: { href: string; label: string };
}

export const PAGE_CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#111827;padding:0 12px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}small{color:#6b7280;font-weight:normal}
.recommendation{font-size:16px;background:#eff6ff;border-left:4px solid #2563eb;padding:8px 12px}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:12px 0}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}tr.best,td.best-cell{background:#ecfdf5;font-weight:600}
.tag{background:#fef3c7;color:#92400e;border-radius:4px;padding:0 4px;font-size:11px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;color:#374151}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
a{overflow-wrap:anywhere}nav.back{font-size:13px}
table.claims td,table.claims th{text-align:left;vertical-align:top}
@media (max-width:640px){table.claims thead{display:none}table.claims tr{display:block;border-bottom:2px solid #d1d5db;padding:4px 0}
table.claims td{display:block;border:0;padding:1px 4px}table.claims td::before{content:attr(data-label) ": ";font-weight:600;color:#6b7280}}
${CHART_CSS}`;

/**
 * The charts of a report: one result → its PowerTuning view (duration and cost on two axes) and its cold starts;
 * several → shared duration / cost / cold-start charts with one legend, and a PowerTuning view in each section.
 */
function layout(results: TuneResult[], options: HtmlOptions) {
  const labels = results.map((r, i) => options.labels?.[i] ?? r.function);
  const powerTuning = results.map((r, i) =>
    powerTuningChart(r, `powertuning-${i}`, [...modelSeries(r), ...(options.extraSeries?.(r, i) ?? [])]),
  );
  const extra = options.extraCharts ?? [];
  if (results.length === 1 && powerTuning[0] && results[0]) {
    const top = [powerTuning[0], initChart(results[0], 'init-chart'), ...extra];
    const html = `<div class="charts">${top.map((c, i) => chartFigure(c, i === 0 ? 'chart wide' : 'chart')).join('')}</div>`;
    return { top: html, perSection: [undefined], specs: top };
  }
  const { specs: overview, colours } = assignColours(
    overviewCharts(results, labels).map((c) => ({ ...c, legend: 'none' as const })),
  );
  const top = results.length
    ? `${sharedLegend(colours)}<div class="charts">${[...overview, ...extra].map((c) => chartFigure(c)).join('')}</div>`
    : '';
  return { top, perSection: powerTuning, specs: [...overview, ...extra, ...powerTuning] };
}

/** One self-contained HTML file for one or several results (several = comparison on shared charts). */
export function renderHtml(results: TuneResult[], options: HtmlOptions = {}): string {
  const title = options.title ?? (results.length === 1 ? `lambench: ${results[0]?.function}` : 'lambench comparison');
  const { top, perSection, specs } = layout(results, options);
  const sections = results.map((r, i) => section(r, options.labels?.[i] ?? r.function, perSection[i])).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${PAGE_CSS}
</style></head><body>
${options.back ? `<nav class="back"><a href="${escapeHtml(options.back.href)}">← ${escapeHtml(options.back.label)}</a></nav>` : ''}
<h1>${escapeHtml(title)}</h1>
${options.intro ?? ''}
${options.visualization ? `<p><a id="compare-visualization" href="${escapeHtml(options.visualization)}">Open both runs in the Lambda Power Tuning UI (comparison)</a></p>` : ''}
${top}
${sections}
<script type="application/json" id="lambench-data">${scriptJson({ results, ...(options.labels ? { labels: options.labels } : {}) })}</script>
${chartScripts(specs)}
</body></html>
`;
}
