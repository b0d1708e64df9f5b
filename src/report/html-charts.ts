/**
 * Browser-side code of the HTML report (a string inlined into the page): draws the charts from the embedded JSON
 * with Chart.js. Kept free of template interpolation so it can be read as plain JavaScript.
 */
export const CHARTS_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('lambench-data').textContent);
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
  var measured = function (r) { return r.configs.filter(function (c) { return c.durationMs; }); };
  var axis = function (title, log) {
    return { type: log ? 'logarithmic' : 'linear', title: { display: true, text: title } };
  };
  var common = function (yTitle, log) {
    return {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: 'nearest', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { filter: function (item) { return item.text.indexOf('CI low') < 0; } } } },
      scales: { x: { type: 'linear', title: { display: true, text: 'memory (MB)' } }, y: axis(yTitle, log) },
    };
  };
  var durationSets = [];
  var costSets = [];
  var initSets = [];
  data.results.forEach(function (r, i) {
    var color = palette[i % palette.length];
    // Run labels (function + run folder) when given: two runs of one function must not share a legend.
    var label = data.results.length > 1 ? ((data.labels && data.labels[i]) || r.function) + ' ' : '';
    var pts = measured(r);
    durationSets.push({ label: label + 'CI low', data: pts.map(function (c) { return { x: c.memoryMB, y: c.durationMs.ci95[0] }; }),
      borderColor: 'transparent', backgroundColor: color + '22', pointRadius: 0, fill: false });
    // Below 6 invocations the band is [min, max], which covers the median with less than 95 %.
    var weak = pts.some(function (c) { return c.durationMs.count < 6; });
    durationSets.push({ label: label + (weak ? 'median CI (min–max where n < 6)' : 'median 95 % CI'), data: pts.map(function (c) { return { x: c.memoryMB, y: c.durationMs.ci95[1] }; }),
      borderColor: 'transparent', backgroundColor: color + '33', pointRadius: 0, fill: '-1' });
    durationSets.push({ label: label + 'median', data: pts.map(function (c) { return { x: c.memoryMB, y: c.durationMs.p50 }; }),
      borderColor: color, backgroundColor: color, tension: 0.2 });
    durationSets.push({ label: label + 'p90', data: pts.map(function (c) { return { x: c.memoryMB, y: c.durationMs.p90 }; }),
      borderColor: color, borderDash: [6, 4], backgroundColor: color, pointRadius: 2 });
    // The duration model fitted to these medians (report/model-fit.ts), drawn through the points.
    var curve = data.modelCurves && data.modelCurves[i];
    if (curve) durationSets.push({ label: label + 'model fit', data: curve, borderColor: color, borderDash: [2, 3], borderWidth: 1, pointRadius: 0, backgroundColor: color });
    costSets.push({ label: label + 'cost per 1M invocations (USD)', data: pts.map(function (c) { return { x: c.memoryMB, y: c.costUSD.per1M }; }),
      borderColor: color, backgroundColor: color });
    var cold = r.configs.filter(function (c) { return c.initDurationMs; });
    initSets.push({ label: label + 'Init Duration p50 (ms)', data: cold.map(function (c) { return { x: c.memoryMB, y: c.initDurationMs.p50 }; }),
      borderColor: color, backgroundColor: color + '99', type: 'bar', barThickness: 18 });
  });
  var draw = function (id, datasets, options) {
    var el = document.getElementById(id);
    if (!el) return;
    if (!datasets.some(function (d) { return d.data.length > 0; })) {
      el.parentElement.innerHTML = '<p class="empty">No data for this chart (no ' + el.dataset.what + ').</p>';
      return;
    }
    new Chart(el, { type: 'line', data: { datasets: datasets }, options: options });
  };
  draw('duration-chart', durationSets, common('duration (ms)', data.logDuration));
  draw('cost-chart', costSets, common('USD per 1M invocations', false));
  draw('init-chart', initSets, common('Init Duration (ms)', false));
  window.__lambenchCharts = Object.values(Chart.instances).map(function (c) {
    return { id: c.canvas.id, points: c.data.datasets.reduce(function (n, d) { return n + d.data.length; }, 0) };
  });
})();
`;
