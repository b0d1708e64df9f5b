import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { TuneResult } from '../tuner/types.js';
import {
  errorsCell,
  escapeHtml,
  monthlyHeading,
  ms,
  networkLabel,
  pricingLabel,
  usd,
  weakCi,
  weakCiNote,
} from './format.js';
import { CHARTS_SCRIPT } from './html-charts.js';

let chartJs: string | undefined;
/** Chart.js's UMD build, inlined so the report opens without a network. */
function chartLibrary(): string {
  // The package's exports hide the UMD file; it sits next to the CommonJS entry.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  chartJs ??= readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

/** JSON that is safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function table(result: TuneResult): string {
  const rows = result.configs
    .map((c) => {
      const d = c.durationMs;
      const best = result.best?.memoryMB === c.memoryMB;
      const errors = escapeHtml(errorsCell(c));
      return `<tr class="${best ? 'best' : ''}"><td>${c.memoryMB}${c.cpuCapped ? ' <span class="tag">CPU capped</span>' : ''}</td><td>${c.invocations}</td><td>${errors}</td><td>${ms(d?.p50)} <small>[${ms(d?.ci95[0])}–${ms(d?.ci95[1])}]${weakCi(d) ? '<sup>†</sup>' : ''}</small></td><td>${ms(d?.trimmedMean)}</td><td>${ms(d?.p90)}</td><td>${ms(d?.p99)}</td><td>${ms(c.initDurationMs?.p50)}</td><td>${c.maxMemoryUsedMB}</td><td>${usd(c.costUSD?.perInvocation)}</td><td>${usd(c.costUSD?.per1M)}</td>${result.monthly ? `<td>${usd(c.costUSD?.perMonth)}</td>` : ''}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>memory MB</th><th>invocations</th><th>errors</th><th>median ms [95 % CI]</th><th>trimmed mean</th><th>p90</th><th>p99</th><th>init p50</th><th>max memory MB</th><th>cost / invocation</th><th>cost / 1M</th>${result.monthly ? `<th>${escapeHtml(monthlyHeading(result.monthly))}</th>` : ''}</tr></thead><tbody>${rows}</tbody></table>`;
}

function environment(result: TuneResult): string {
  const e = result.environment;
  const facts = [
    ['target', e.target === 'local' ? 'local engine' : `AWS Lambda (${e.region})`],
    ['isolation', e.isolation ?? 'n/a'],
    ['runtime', e.runtime ? `${e.runtime}${e.runtimeVersion ? ` (ran on ${e.runtimeVersion})` : ''}` : 'n/a'],
    ['host', e.hostCpus ? `${e.hostCpus} CPUs, ${e.cpuModel ?? ''}` : 'n/a'],
    ['init CPU boost', e.initCpuBoost === undefined ? 'n/a' : e.initCpuBoost ? 'on' : 'off'],
    ['network', networkLabel(e.network)],
    ['CPU capped at', e.cappedMemorySizes.length ? `${e.cappedMemorySizes.join(', ')} MB` : 'none'],
    ['pricing', pricingLabel(e)],
    ['run', `${e.startedAt} → ${e.finishedAt}`],
  ];
  return `<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(String(v))}</dd>`).join('')}</dl>`;
}

function ciFootnote(r: TuneResult): string {
  const note = weakCiNote(r.configs.flatMap((c) => (c.durationMs ? [c.durationMs.count] : [])));
  return note ? `<p class="footnote"><small>${escapeHtml(note)}</small></p>` : '';
}

function section(r: TuneResult, label: string): string {
  const about = `${r.target}, strategy ${r.strategy}, priced as ${pricingLabel(r.environment)}`;
  return `<section><h2>${escapeHtml(label)} <small>${escapeHtml(about)}</small></h2>
<p class="recommendation">${escapeHtml(r.recommendation)}</p>${table(r)}${ciFootnote(r)}${environment(r)}
<p><a href="${escapeHtml(r.visualization)}">Open in the Lambda Power Tuning UI</a></p></section>`;
}

const CHARTS_HTML = `<div class="charts">
<div class="chart"><canvas id="duration-chart" data-what="successful invocations"></canvas></div>
<div class="chart"><canvas id="cost-chart" data-what="successful invocations"></canvas></div>
<div class="chart"><canvas id="init-chart" data-what="cold starts"></canvas></div>
</div>`;

export interface HtmlOptions {
  title?: string;
  /** HTML placed above the charts (compare: the combined table). */
  intro?: string;
  /** PowerTuning's two-run comparison URL. */
  visualization?: string;
  /** One per result, for headings and chart legends (default: the function name). */
  labels?: string[];
}

/** One self-contained HTML file for one or several results (several = comparison on shared charts). */
export function renderHtml(results: TuneResult[], options: HtmlOptions = {}): string {
  const title = options.title ?? (results.length === 1 ? `lambench: ${results[0]?.function}` : 'lambench comparison');
  const durations = results.flatMap((r) => r.configs.map((c) => c.durationMs?.p50 ?? 0)).filter((d) => d > 0);
  const logDuration = durations.length > 1 && Math.max(...durations) / Math.min(...durations) > 20;
  const sections = results.map((r, i) => section(r, options.labels?.[i] ?? r.function)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#111827;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}small{color:#6b7280;font-weight:normal}
.recommendation{font-size:16px;background:#eff6ff;border-left:4px solid #2563eb;padding:8px 12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}
.chart{height:300px;border:1px solid #e5e7eb;border-radius:6px;padding:8px}
table{border-collapse:collapse;width:100%;margin:12px 0}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}tr.best,td.best-cell{background:#ecfdf5;font-weight:600}
.tag{background:#fef3c7;color:#92400e;border-radius:4px;padding:0 4px;font-size:11px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;color:#374151}dt{font-weight:600}.empty{color:#6b7280}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${options.intro ?? ''}
${options.visualization ? `<p><a id="compare-visualization" href="${escapeHtml(options.visualization)}">Open both runs in the Lambda Power Tuning UI (comparison)</a></p>` : ''}
${results.length ? CHARTS_HTML : ''}
${sections}
<script type="application/json" id="lambench-data">${scriptJson({ results, logDuration, ...(options.labels ? { labels: options.labels } : {}) })}</script>
${results.length ? `<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>\n<script>${CHARTS_SCRIPT}</script>` : ''}
</body></html>
`;
}
