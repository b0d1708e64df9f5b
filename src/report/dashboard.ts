import { chooseBest, type Strategy } from '../tuner/strategy.js';
import type { TuneResult } from '../tuner/types.js';
import { assignColours, type ChartSpec } from './chart-spec.js';
import { keyChart } from './charts.js';
import { escapeHtml, ms, usd } from './format.js';
import { PAGE_CSS } from './html.js';
import { chartFigure, chartScripts, sharedLegend } from './html-charts.js';

export type VerdictCounts = Record<'reproduced' | 'not reproduced' | 'not run', number>;

/**
 * The bill of a month at the traffic a plan (`lambench plan`) describes, for one result: the card shows it beside
 * the per-1M cost. Whoever has a plan computes it; the dashboard only shows it.
 */
export interface PlannedMonthly {
  /** The traffic in words ("50/s steady"). */
  traffic: string;
  monthlyUSD: number;
  /** The size (and pricing model) it was computed for, when not the tune's best. */
  memoryMB?: number;
  model?: string;
  /** The plan's one-line verdict (the planner's `planHeadline`), shown under the card's table. */
  headline?: string;
}

/** One row of a card's table: a function (or experiment variant) and its headline figures. */
export interface CardRow {
  label: string;
  /** Best size per strategy, in MB (undefined: no size ran without errors). */
  best: Record<Strategy, number | undefined>;
  /** Init Duration p50 at the tune's best size (or the first size with a cold start). */
  coldStartMs?: number;
  /** Cost per 1M invocations at the tune's best size. */
  per1M?: number;
  planned?: PlannedMonthly;
}

export interface DashboardCard {
  title: string;
  /** The details, one click away. */
  href: string;
  subtitle?: string;
  verdicts?: VerdictCounts;
  /** The experiment or run failed: the message, shown in red. */
  failed?: string;
  rows: CardRow[];
  chart?: ChartSpec;
  /** Further links (the experiment's own index, summary.md). */
  links?: Array<{ label: string; href: string }>;
  /** Lines of text under the figures (an experiment's fidelity to the published AWS curves). */
  notes?: string[];
}

const STRATEGIES: Strategy[] = ['cost', 'speed', 'balanced'];

/** A chart's legend entries with their colours (the thumbnail of a single result draws none of its own). */
function seriesColours(chart: ChartSpec): Map<string, string> {
  const colours = new Map<string, string>();
  for (const s of chart.series) {
    const name = s.group ?? s.label;
    if (!s.hideInLegend && s.color && !colours.has(name)) colours.set(name, s.color);
  }
  return colours;
}

/** The headline figures of one tune result. `planned` is the optional "monthly at the planned traffic". */
export function cardRow(result: TuneResult, label = result.function, planned?: PlannedMonthly): CardRow {
  const best = Object.fromEntries(
    STRATEGIES.map((s) => [
      s,
      chooseBest(result.configs, { strategy: s, balancedWeight: 0.5, tolerance: result.tolerance ?? 0 })?.memoryMB,
    ]),
  ) as Record<Strategy, number | undefined>;
  const chosen = result.configs.find((c) => c.memoryMB === result.best?.memoryMB);
  const cold = chosen?.initDurationMs ? chosen : result.configs.find((c) => c.initDurationMs);
  return {
    label,
    best,
    ...(cold?.initDurationMs ? { coldStartMs: cold.initDurationMs.p50 } : {}),
    ...(chosen?.costUSD ? { per1M: chosen.costUSD.per1M } : {}),
    ...(planned ? { planned } : {}),
  };
}

/** A card for several results (an experiment) or one (a tune), with its key chart. */
export function resultsCard(
  card: Omit<DashboardCard, 'rows' | 'chart'>,
  results: TuneResult[],
  id: string,
  options: {
    labels?: string[];
    planned?: (result: TuneResult) => PlannedMonthly | undefined;
    /** The key chart when there are no tune results (an experiment that measures otherwise). */
    fallbackChart?: ChartSpec;
  } = {},
): DashboardCard {
  const labels = results.map((r, i) => options.labels?.[i] ?? r.function);
  const chart = results.length
    ? keyChart(results, labels, id)
    : options.fallbackChart && { ...options.fallbackChart, id, legend: 'none' as const, height: 170 };
  return {
    ...card,
    rows: results.map((r, i) => cardRow(r, labels[i], options.planned?.(r))),
    ...(chart ? { chart } : {}),
  };
}

export function countVerdicts(claims: Array<{ verdict: keyof VerdictCounts }>): VerdictCounts {
  const counts: VerdictCounts = { reproduced: 0, 'not reproduced': 0, 'not run': 0 };
  for (const c of claims) counts[c.verdict]++;
  return counts;
}

const mb = (x: number | undefined) => (x === undefined ? '–' : `${x}`);

function verdictChips(v: VerdictCounts): string {
  const chip = (kind: keyof VerdictCounts, cls: string) =>
    `<span class="chip ${cls}" title="${kind}"><b>${v[kind]}</b> ${kind}</span>`;
  return `<p class="verdicts">${chip('reproduced', 'ok')}${chip('not reproduced', 'bad')}${chip('not run', 'skip')}</p>`;
}

function rowsTable(rows: CardRow[], colours: Map<string, string>): string {
  if (rows.length === 0) return '';
  const planned = rows.some((r) => r.planned);
  const body = rows
    .map((r) => {
      const swatch = colours.get(r.label);
      const name = `${swatch ? `<span class="swatch" style="background:${swatch}"></span>` : ''}${escapeHtml(r.label)}`;
      const plannedCell = planned
        ? `<td title="${escapeHtml(r.planned ? `${r.planned.traffic}${r.planned.memoryMB ? ` at ${r.planned.memoryMB} MB` : ''}${r.planned.model ? `, ${r.planned.model}` : ''}` : '')}">${r.planned ? usd(r.planned.monthlyUSD) : '–'}</td>`
        : '';
      return `<tr><td>${name}</td>${STRATEGIES.map((s) => `<td>${mb(r.best[s])}</td>`).join('')}<td>${ms(r.coldStartMs)}</td><td>${usd(r.per1M)}</td>${plannedCell}</tr>`;
    })
    .join('');
  const traffic = rows.find((r) => r.planned)?.planned?.traffic;
  return `<div class="table-wrap"><table class="headline"><thead><tr><th rowspan="2"></th><th colspan="3">best MB by</th><th rowspan="2">cold start ms</th><th rowspan="2">$ / 1M</th>${planned ? `<th rowspan="2">$ / month<br><small>${escapeHtml(traffic ?? '')}</small></th>` : ''}</tr>
<tr><th>cost</th><th>speed</th><th>bal.</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

/** Each row's plan headline ("arm64 on-demand 512 MB: $45.56/month at 20/s …"), named by row when there are several. */
function plannedHeadlines(rows: CardRow[]): string {
  const lines = rows.flatMap((r) =>
    r.planned?.headline ? [`${rows.length > 1 ? `${r.label}: ` : ''}plan: ${r.planned.headline}`] : [],
  );
  return lines.map((l) => `<p class="planned">${escapeHtml(l)}</p>`).join('');
}

function cardHtml(card: DashboardCard, colours: Map<string, string>): string {
  const state = card.failed
    ? 'failed'
    : !card.verdicts
      ? ''
      : card.verdicts['not reproduced'] > 0
        ? 'bad'
        : card.verdicts.reproduced > 0
          ? 'ok'
          : 'skip';
  const links = (card.links ?? []).map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a>`);
  return `<article class="card ${state}">
<h2><a class="details" href="${escapeHtml(card.href)}">${escapeHtml(card.title)}</a></h2>
${card.subtitle ? `<p class="subtitle">${escapeHtml(card.subtitle)}</p>` : ''}
${card.verdicts ? verdictChips(card.verdicts) : ''}
${card.failed ? `<p class="failure">failed: ${escapeHtml(card.failed)}</p>` : ''}
${card.chart ? chartFigure(card.chart, 'thumb') : ''}
${card.rows.length <= 1 && colours.size > 1 ? sharedLegend(colours) : ''}${rowsTable(card.rows, card.rows.length > 1 ? colours : new Map())}
${plannedHeadlines(card.rows)}${(card.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')}
<p class="more"><a href="${escapeHtml(card.href)}">details →</a>${links.length ? ` · ${links.join(' · ')}` : ''}</p>
</article>`;
}

const DASHBOARD_CSS = `.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:16px}
.card{border:1px solid #e5e7eb;border-top:4px solid #9ca3af;border-radius:8px;padding:10px 12px;min-width:0}
.card.ok{border-top-color:#16a34a}.card.bad{border-top-color:#dc2626}.card.failed{border-top-color:#dc2626;background:#fef2f2}
.card h2{font-size:16px;margin:2px 0 4px}.card h2 a{color:#111827;text-decoration:none}.card h2 a:hover{text-decoration:underline}
.subtitle{color:#6b7280;margin:0 0 6px;font-size:12px}.failure{color:#b91c1c;overflow-wrap:anywhere}
.verdicts{margin:4px 0 8px;display:flex;flex-wrap:wrap;gap:6px}
.chip{border-radius:999px;padding:1px 8px;font-size:12px}.chip.ok{background:#dcfce7;color:#166534}
.chip.bad{background:#fee2e2;color:#991b1b}.chip.skip{background:#f3f4f6;color:#4b5563}
table.headline{font-size:12px;margin:6px 0}table.headline th,table.headline td{padding:2px 5px}
table.headline th{text-align:center;font-weight:600;color:#374151}.more{margin:6px 0 0;font-size:13px}
.card ul.legend{font-size:11px;margin:4px 0}
.note{margin:4px 0;font-size:12px;color:#374151;overflow-wrap:anywhere}
.planned{margin:4px 0;font-size:12px;background:#ecfdf5;border-left:3px solid #16a34a;padding:2px 6px;overflow-wrap:anywhere}
.totals{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 16px}`;

export interface DashboardPage {
  title: string;
  subtitle?: string;
  cards: DashboardCard[];
  back?: { href: string; label: string };
}

/** A dashboard: one card per experiment or function, its key chart, verdicts and headline figures. */
export function renderDashboard(page: DashboardPage): string {
  const coloured = page.cards.map((card) => {
    if (!card.chart) return { card, colours: new Map<string, string>() };
    const { specs, colours } = assignColours([card.chart]);
    const chart = specs[0] ?? card.chart;
    // A single result's chart has fixed colours (duration, cost): its legend is its series, not the row.
    return { card: { ...card, chart }, colours: card.rows.length === 1 ? seriesColours(chart) : colours };
  });
  const totals = page.cards.reduce<VerdictCounts | undefined>((sum, c) => {
    if (!c.verdicts) return sum;
    const base = sum ?? { reproduced: 0, 'not reproduced': 0, 'not run': 0 };
    return {
      reproduced: base.reproduced + c.verdicts.reproduced,
      'not reproduced': base['not reproduced'] + c.verdicts['not reproduced'],
      'not run': base['not run'] + c.verdicts['not run'],
    };
  }, undefined);
  const failed = page.cards.filter((c) => c.failed).length;
  const specs = coloured.flatMap(({ card }) => (card.chart ? [card.chart] : []));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
${PAGE_CSS}
${DASHBOARD_CSS}
</style></head><body>
${page.back ? `<nav class="back"><a href="${escapeHtml(page.back.href)}">← ${escapeHtml(page.back.label)}</a></nav>` : ''}
<h1>${escapeHtml(page.title)}</h1>
${page.subtitle ? `<p class="subtitle">${escapeHtml(page.subtitle)}</p>` : ''}
${totals ? `<div class="totals">${verdictChips(totals).replace(/^<p class="verdicts">|<\/p>$/g, '')}${failed ? `<span class="chip bad"><b>${failed}</b> failed</span>` : ''}</div>` : ''}
<main class="cards">
${coloured.map(({ card, colours }) => cardHtml(card, colours)).join('\n')}
</main>
${chartScripts(specs)}
</body></html>
`;
}
