import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { escapeHtml } from '../report/format.js';
import type { PlanResult } from './plan.js';
import { breakEvenText, coldBand, count, dollars, percent, priceOnly } from './table.js';

let chartJs: string | undefined;
/** Chart.js's UMD build, inlined so the page opens without a network (as the tune report does). */
function chartLibrary(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  chartJs ??= readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

/** Browser code: the two traffic charts from the embedded plan (plain JavaScript, no interpolation). */
const PLAN_CHARTS = `
(function () {
  var plan = JSON.parse(document.getElementById('plan-data').textContent);
  var palette = { 'on-demand x86_64': '#2563eb', 'on-demand arm64': '#16a34a', 'provisioned x86_64': '#9333ea',
    'provisioned arm64': '#ea580c', 'managed-instances x86_64': '#0891b2', 'managed-instances arm64': '#dc2626' };
  var families = Object.keys(palette).filter(function (f) { return plan.sweep.some(function (p) { return p.best[f]; }); });
  // Log axes: label the powers of ten only, compactly (1k, 10M, 1B), so ticks never overlap.
  var compact = function (v) {
    var units = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
    for (var i = 0; i < units.length; i++) if (v >= units[i][0]) return (v / units[i][0]) + units[i][1];
    return String(v);
  };
  var decade = function (v) {
    var l = Math.log10(v);
    return Math.abs(l - Math.round(l)) < 1e-9 ? compact(v) : '';
  };
  var measured = plan.simulation.durations.map(function (d) { return d.architecture; });
  var options = function (yTitle, yLog) {
    return { responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: 'nearest', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, font: { size: 11 } } } },
      scales: { x: { type: 'logarithmic', title: { display: true, text: 'invocations per month' }, ticks: { autoSkip: true, maxRotation: 0, callback: decade } },
        y: { type: yLog ? 'logarithmic' : 'linear', title: { display: true, text: yTitle }, ticks: yLog ? { callback: decade } : {} } } };
  };
  var cost = families.map(function (f) {
    return { label: f, borderColor: palette[f], backgroundColor: palette[f], pointRadius: 2,
      data: plan.sweep.filter(function (p) { return p.best[f]; }).map(function (p) { return { x: p.invocationsPerMonth, y: p.best[f].totalUSD }; }) };
  });
  cost.push({ label: 'planned traffic', borderColor: '#111827', backgroundColor: '#111827', pointRadius: 6, pointStyle: 'crossRot', showLine: false,
    data: plan.winner ? [{ x: plan.traffic.invocationsPerMonth, y: plan.winner.monthly.totalUSD }] : [] });
  var cold = [];
  // Cold starts depend on the durations only: an architecture priced from the other's durations would repeat them.
  families.filter(function (f) { return f.indexOf('on-demand') === 0 && measured.indexOf(f.split(' ')[1]) >= 0; }).forEach(function (f) {
    ['shortIdle', 'longIdle'].forEach(function (end, i) {
      cold.push({ label: f + (i ? ' (' + plan.simulation.idleMinutes[1] + ' min idle)' : ' (' + plan.simulation.idleMinutes[0] + ' min idle)'),
        borderColor: palette[f], backgroundColor: palette[f], borderDash: i ? [6, 4] : [], pointRadius: 2,
        data: plan.sweep.filter(function (p) { return p.best[f]; }).map(function (p) { return { x: p.invocationsPerMonth, y: 100 * p.best[f].coldStartRate[end] }; }) });
    });
  });
  var draw = function (id, datasets, opts) {
    var el = document.getElementById(id);
    if (!datasets.some(function (d) { return d.data.length > 0; })) { el.parentElement.innerHTML = '<p class="empty">No sweep in this plan.</p>'; return; }
    new Chart(el, { type: 'line', data: { datasets: datasets }, options: opts });
  };
  draw('cost-traffic-chart', cost, options('USD per month', true));
  draw('cold-traffic-chart', cold, options('cold starts (% of invocations)', false));
  window.__lambenchCharts = Object.values(Chart.instances).map(function (c) {
    return { id: c.canvas.id, points: c.data.datasets.reduce(function (n, d) { return n + d.data.length; }, 0) };
  });
})();
`;

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
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#111827;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}small{color:#6b7280}
.verdict{font-size:16px;background:#ecfdf5;border-left:4px solid #16a34a;padding:8px 12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
.chart{height:320px;border:1px solid #e5e7eb;border-radius:6px;padding:8px}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:12px 0}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}tr.best{background:#ecfdf5;font-weight:600}.empty{color:#6b7280}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="verdict" id="plan-verdict">${escapeHtml(verdict)}</p>
<p>${escapeHtml(t.description)}; ${count(t.invocationsPerMonth)} invocations a month, priced in ${escapeHtml(plan.region)} (prices of ${escapeHtml(plan.prices.asOf)}, <small>${escapeHtml(plan.prices.source)}</small>).</p>
<h2>Break-even</h2>${breakEven}
<div class="charts">
<div class="chart"><canvas id="cost-traffic-chart"></canvas></div>
<div class="chart"><canvas id="cold-traffic-chart"></canvas></div>
</div>
<h2>Every option at the planned traffic</h2>
<div class="scroll">${optionsTable(plan)}</div>
<p><small>Cold starts: at the ${plan.simulation.idleMinutes[1]}-minute and the ${plan.simulation.idleMinutes[0]}-minute idle timeout; costs at the ${plan.simulation.idleMinutes[0]}-minute end. Basis "price-only": the other architecture's measured durations at this one's prices.</small></p>
<h2>How it was simulated</h2><p>${escapeHtml(plan.simulation.method)}.</p>${list(plan.simulation.assumptions)}
${plan.notes.length ? `<h2>Notes</h2>${list(plan.notes)}` : ''}
<script type="application/json" id="plan-data">${JSON.stringify(plan).replace(/</g, '\\u003c')}</script>
<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>
<script>${PLAN_CHARTS}</script>
</body></html>
`;
}
