import { escapeHtml } from '../report/format.js';
import { PAGE_CSS } from '../report/html.js';
import { chartFigure, chartScripts, scriptJson } from '../report/html-charts.js';
import { planCharts } from './charts.js';
import type { PlanResult } from './plan.js';
import { breakEvenText, coldBand, count, dollars, percent, priceOnly } from './table.js';

function optionsTable(plan: PlanResult): string {
  const rows = plan.options
    .map((o) => {
      const m = o.monthly;
      const cls = o === plan.winner || o.label === plan.winner?.label ? ' class="best"' : '';
      return `<tr${cls}><td>${escapeHtml(o.label)}</td><td>${o.basis}</td><td>${coldBand(o)}</td><td>${o.concurrency.p50} / ${o.concurrency.p99} / ${o.concurrency.max}</td><td>${percent(o.throttleRate)}</td><td>${dollars(m.requestsUSD)}</td><td>${dollars(m.durationUSD + m.provisionedExecutionUSD)}</td><td>${dollars(m.initUSD)}</td><td>${dollars(m.provisionedUSD)}</td><td>${dollars(m.instancesUSD + m.managementUSD)}</td><td>${dollars(m.totalUSD)}</td></tr>`;
    })
    .join('\n');
  return `<table id="plan-table"><thead><tr><th>option</th><th>basis</th><th>cold starts</th><th>concurrency p50 / p99 / max</th><th>throttled</th><th>requests</th><th>duration</th><th>INIT</th><th>provisioned</th><th>instances + fee</th><th>total / month</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** plan.html: the verdict first, then the two traffic charts, the table of every option and what was assumed. */
export function renderPlanHtml(plan: PlanResult): string {
  const t = plan.traffic;
  const title = `lambench plan: ${plan.function} at ${t.spec}`;
  const verdict = plan.winner
    ? `${plan.winner.label} wins at ${count(t.invocationsPerMonth)} invocations a month: ${dollars(plan.winner.monthly.totalUSD)} (cold starts ${coldBand(plan.winner)})${priceOnly(plan.winner)}.`
    : 'No option could be priced.';
  const breakEven = plan.breakEven.length
    ? `<ul>${plan.breakEven.map((b) => `<li>${escapeHtml(breakEvenText(b))}</li>`).join('')}</ul>`
    : '<p>No change of winner over the traffic range drawn.</p>';
  const charts = planCharts(plan);
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${PAGE_CSS}
.verdict{font-size:16px;background:#ecfdf5;border-left:4px solid #16a34a;padding:8px 12px}
#plan-table th,#plan-table td{white-space:nowrap}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="verdict" id="plan-verdict">${escapeHtml(verdict)}</p>
<p>${escapeHtml(t.description)}; ${count(t.invocationsPerMonth)} invocations a month, priced in ${escapeHtml(plan.region)} (prices of ${escapeHtml(plan.prices.asOf)}, <small>${escapeHtml(plan.prices.source)}</small>).</p>
<h2>Break-even</h2>${breakEven}
<div class="charts">
${charts.map((c) => chartFigure(c)).join('\n')}
</div>
<h2>Every option at the planned traffic</h2>
<div class="table-wrap">${optionsTable(plan)}</div>
<p><small>Cold starts: at the ${plan.simulation.idleMinutes[1]}-minute and the ${plan.simulation.idleMinutes[0]}-minute idle timeout; costs at the ${plan.simulation.idleMinutes[0]}-minute end. Basis "price-only": the other architecture's measured durations at this one's prices.</small></p>
<h2>How it was simulated</h2><p>${escapeHtml(plan.simulation.method)}.</p>${list(plan.simulation.assumptions)}
${plan.notes.length ? `<h2>Notes</h2>${list(plan.notes)}` : ''}
<script type="application/json" id="plan-data">${scriptJson(plan)}</script>
${chartScripts(charts)}
</body></html>
`;
}
