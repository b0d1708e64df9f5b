import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type ChartSpec, hasData, legendEntries, MAX_LEGEND_ENTRIES } from './chart-spec.js';
import { escapeHtml } from './format.js';

let chartJs: string | undefined;
/** Chart.js's UMD build, inlined so the report opens without a network. */
function chartLibrary(): string {
  // The package's exports hide the UMD file; it sits next to the CommonJS entry.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  chartJs ??= readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

/** JSON that is safe inside a <script> element. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The figure a spec is drawn into: caption, then a fixed-height box (Chart.js sizes the canvas to it). */
export function chartFigure(spec: ChartSpec, className = 'chart'): string {
  const height = spec.height ?? 300;
  const body = hasData(spec)
    ? `<canvas id="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas>`
    : `<p class="empty">${escapeHtml(spec.empty)}</p>`;
  return `<figure class="${className}"><figcaption>${escapeHtml(spec.title)}</figcaption><div class="plot" style="height:${height}px">${body}</div></figure>`;
}

/** One legend for several charts whose series share colours by group (assignColours). */
export function sharedLegend(colours: Map<string, string>): string {
  const items = [...colours].map(
    ([label, colour]) =>
      `<li><span class="swatch" style="background:${escapeHtml(colour)}"></span>${escapeHtml(label)}</li>`,
  );
  return `<ul class="legend">${items.join('')}</ul>`;
}

/** The page's charts as JSON, Chart.js and the drawing code; '' when there is nothing to draw. */
export function chartScripts(specs: ChartSpec[]): string {
  const drawable = specs.filter(hasData);
  if (drawable.length === 0) return '';
  const json = scriptJson({ specs: drawable, maxLegendEntries: MAX_LEGEND_ENTRIES });
  return `<script type="application/json" id="lambench-charts">${json}</script>
<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>
<script>${CHARTS_SCRIPT}</script>`;
}

/** Whether a chart draws its own legend (else the page shows a shared one, or none). */
export const ownLegend = (spec: ChartSpec) =>
  spec.legend !== 'none' && legendEntries(spec).length <= MAX_LEGEND_ENTRIES;

export const CHART_CSS = `.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,360px),1fr));gap:16px}
figure.chart,figure.thumb{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:8px;min-width:0}
figure.chart.wide{grid-column:1/-1}
figcaption{font-size:13px;font-weight:600;color:#374151;margin-bottom:4px}
.plot{position:relative;width:100%}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;padding:0;margin:8px 0;max-height:5.5em;overflow:auto;font-size:13px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.empty{color:#6b7280}`;

/**
 * Browser-side code (a string inlined into the page): draws every ChartSpec of the page's `lambench-charts` JSON
 * with Chart.js. Kept free of template interpolation so it reads as plain JavaScript; the legend threshold is
 * passed in the JSON.
 */
export const CHARTS_SCRIPT = `
(function () {
  var page = JSON.parse(document.getElementById('lambench-charts').textContent);
  var narrow = window.innerWidth < 600;
  Chart.defaults.font.size = narrow ? 10 : 12;
  // Log axes label 1, 2 and 5 of each decade only; the rest would overlap.
  var logTick = function (value) {
    if (value <= 0) return '';
    var m = value / Math.pow(10, Math.floor(Math.log10(value) + 1e-9));
    var r = Math.round(m * 100) / 100;
    return r === 1 || r === 2 || r === 5 ? Number(value.toPrecision(3)).toLocaleString('en') : '';
  };
  var short = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 3 });
  // A compact log axis labels the powers of ten only: 1, 2 and 5 of six decades would crowd a phone's width.
  var compactTick = function (log) {
    return function (value) {
      if (log && (value <= 0 || Math.abs(Math.log10(value) - Math.round(Math.log10(value))) > 1e-9)) return '';
      return short.format(value);
    };
  };
  var scale = function (axis, extra) {
    var s = { type: axis.log ? 'logarithmic' : 'linear', title: { display: true, text: axis.title } };
    if (axis.compact) s.ticks = { callback: compactTick(axis.log), autoSkip: true, maxRotation: 0 };
    else if (axis.log) s.ticks = { callback: logTick, autoSkip: true };
    for (var k in extra) s[k] = extra[k];
    return s;
  };
  var alpha = function (colour, a) { return /^#[0-9a-f]{6}$/i.test(colour) ? colour + a : colour; };
  var drawn = [];
  page.specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) return;
    var keep = function (axis) {
      var logY = (axis === 'y2' ? spec.y2 : spec.y).log;
      return function (p) { return (!logY || p.y > 0) && (!spec.x.log || p.x > 0) && isFinite(p.y); };
    };
    var datasets = [];
    spec.series.forEach(function (s) {
      var axis = s.axis === 'y2' ? 'y2' : 'y';
      var colour = s.color || '#111827';
      var common = { group: s.group || s.label, yAxisID: axis, borderColor: colour, backgroundColor: colour, hideInLegend: !!s.hideInLegend };
      var data = s.points.filter(keep(axis));
      if (s.style === 'band') {
        datasets.push(Object.assign({}, common, { label: s.label + ' (low)', data: (s.low || []).filter(keep(axis)), borderColor: 'transparent',
          backgroundColor: alpha(colour, '22'), pointRadius: 0, fill: false, hideInLegend: true, order: 3 }));
        datasets.push(Object.assign({}, common, { label: s.label, data: data, borderColor: 'transparent', backgroundColor: alpha(colour, '33'),
          pointRadius: 0, fill: '-1', order: 3 }));
      } else if (s.style === 'bar') {
        datasets.push(Object.assign({}, common, { type: 'bar', label: s.label, data: data, backgroundColor: alpha(colour, '99'), maxBarThickness: narrow ? 8 : 14 }));
      } else {
        datasets.push(Object.assign({}, common, { label: s.label, data: data, tension: 0, borderWidth: 2,
          pointRadius: s.style === 'points' ? 4 : 2.5, showLine: s.style !== 'points',
          borderDash: s.style === 'dashed' ? [6, 4] : s.style === 'dotted' ? [2, 3] : [] }));
      }
    });
    var groups = [];
    datasets.forEach(function (d) { if (!d.hideInLegend && groups.indexOf(d.group) < 0) groups.push(d.group); });
    var showLegend = spec.legend !== 'none' && groups.length <= page.maxLegendEntries;
    var height = spec.height || 300;
    var cats = spec.x.categories;
    // Memory axes are labelled at the sizes measured (as PowerTuning does), variant axes with the variants' names.
    var xs = [];
    spec.series.forEach(function (s) { s.points.forEach(function (p) { if (xs.indexOf(p.x) < 0) xs.push(p.x); }); });
    xs.sort(function (a, b) { return a - b; });
    var atData = !cats && !spec.x.compact && xs.length > 0 && xs.length <= 12;
    var fixTicks = function (values) {
      return function (axis) { axis.ticks = values.map(function (v) { return { value: v }; }); };
    };
    var xExtra = cats
      ? { min: -0.5, max: cats.length - 0.5, grid: { display: false }, afterBuildTicks: fixTicks(cats.map(function (_, i) { return i; })),
          ticks: { autoSkip: false, maxRotation: 0, callback: function (v) { return cats[v] === undefined ? '' : cats[v]; } } }
      : atData
        ? { afterBuildTicks: fixTicks(xs), ticks: { autoSkip: true, callback: function (v) { return String(v); } } }
        : {};
    if (atData && xs.length > 1 && !spec.x.log) {
      var pad = (xs[xs.length - 1] - xs[0]) * 0.04;
      xExtra.min = xs[0] - pad;
      xExtra.max = xs[xs.length - 1] + pad;
    } else if (atData && spec.x.log) {
      xExtra.min = xs[0] / 1.15;
      xExtra.max = xs[xs.length - 1] * 1.15;
    }
    var scales = { x: scale(spec.x, xExtra), y: scale(spec.y, { position: 'left' }) };
    if (spec.y2) scales.y2 = scale(spec.y2, { position: 'right', grid: { drawOnChartArea: false } });
    if (spec.legend === 'none' && height < 200) {
      // A thumbnail: the axes' titles would take half of it.
      Object.keys(scales).forEach(function (k) { scales[k].title.display = false; });
    }
    new Chart(el, {
      type: 'line',
      data: { datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: scales,
        plugins: {
          legend: {
            display: showLegend, position: 'bottom', maxHeight: Math.round(height / 5),
            labels: {
              boxWidth: 12, boxHeight: 12,
              // One entry per group, named after it; a click hides or shows the whole group.
              generateLabels: function (chart) {
                var seen = {};
                return Chart.defaults.plugins.legend.labels.generateLabels(chart).filter(function (item) {
                  var d = chart.data.datasets[item.datasetIndex];
                  if (d.hideInLegend || seen[d.group]) return false;
                  seen[d.group] = true;
                  item.text = d.group;
                  if (d.borderColor === 'transparent') item.strokeStyle = d.backgroundColor;
                  return true;
                });
              },
            },
            onClick: function (e, item, legend) {
              var chart = legend.chart;
              var group = chart.data.datasets[item.datasetIndex].group;
              var show = !chart.isDatasetVisible(item.datasetIndex);
              chart.data.datasets.forEach(function (d, i) { if (d.group === group) chart.setDatasetVisibility(i, show); });
              chart.update();
            },
          },
        },
      },
    });
    drawn.push({ id: spec.id, points: datasets.reduce(function (n, d) { return n + d.data.length; }, 0) });
  });
  window.__lambenchCharts = drawn;
})();
`;
