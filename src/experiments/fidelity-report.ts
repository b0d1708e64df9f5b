import { escapeHtml } from '../report/format.js';
import { type FidelityScore, formatScore } from './fidelity.js';

/**
 * The fidelity section of an experiment's report: per implementation one chart with both normalised curves (ours
 * solid, the published AWS one dashed) and its score, then one table of every score. Plain SVG, no script.
 */
export function fidelityHtml(scores: FidelityScore[]): string {
  if (!scores.length) return '';
  const charts = scores.map(chartSvg).join('\n');
  const rows = scores
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.implementation)}</td><td>${escapeHtml(s.publishedAs)}${s.rows ? ` (${s.rows.toLocaleString('en')} rows)` : ''}</td><td><b>${formatScore(s)}</b></td><td>${s.normalisedAt} MB</td><td>${escapeHtml(s.covers)}</td><td>${s.sizes.map((m, i) => `${m}: ${fmt(s.local[i])} vs ${fmt(s.published[i])}`).join(' · ')}</td></tr>`,
    )
    .join('');
  const measured = [...new Set(scores.map((s) => s.measured))].map((m) => `<p>${escapeHtml(m)}</p>`).join('');
  return `<h3>Fidelity: our curves against the published AWS ones</h3>
<p>Each curve divided by its own duration at the reference size; the score is the mean of |ours ÷ published − 1| over the other sizes both have (fidelity.json).</p>
<div class="fidelity-charts" style="display:flex;flex-wrap:wrap;gap:12px">${charts}</div>
<table><thead><tr><th>implementation</th><th>published curve</th><th>mean abs. error</th><th>normalised at</th><th>sizes covered</th><th>normalised, ours vs published</th></tr></thead><tbody>${rows}</tbody></table>
<p><b>What the original measured.</b></p>${measured}`;
}

export function fidelityMarkdown(scores: FidelityScore[]): string[] {
  if (!scores.length) return [];
  return [
    '#### Fidelity: our curves against the published AWS ones',
    '',
    '| implementation | published curve | mean abs. error | normalised at | sizes covered |',
    '| --- | --- | --- | --- | --- |',
    ...scores.map(
      (s) =>
        `| ${s.implementation} | ${s.publishedAs}${s.rows ? ` (${s.rows.toLocaleString('en')} rows)` : ''} | **${formatScore(s)}** | ${s.normalisedAt} MB | ${s.covers} |`,
    ),
    '',
    ...[...new Set(scores.map((s) => s.measured))].map((m) => `What the original measured: ${m}`),
    '',
  ];
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));

function chartSvg(score: FidelityScore): string {
  const W = 340;
  const H = 220;
  const pad = { left: 40, right: 20, top: 34, bottom: 30 };
  const xs = score.sizes.map((m) => Math.log(m));
  const values = [...score.local, ...score.published].filter(Number.isFinite);
  const yMax = Math.max(1.2, ...values) * 1.05;
  const [x0 = 0, x1 = 1] = [Math.min(...xs), Math.max(...xs)];
  const px = (x: number) => pad.left + ((x - x0) / (x1 - x0 || 1)) * (W - pad.left - pad.right);
  const py = (y: number) => H - pad.bottom - (y / yMax) * (H - pad.top - pad.bottom);
  const line = (ys: number[], style: string, colour: string) => {
    const points = ys.map((y, i) => `${px(xs[i] ?? 0).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dots = ys
      .map((y, i) => `<circle cx="${px(xs[i] ?? 0).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${colour}"/>`)
      .join('');
    return `<polyline fill="none" stroke="${colour}" stroke-width="2" ${style} points="${points}"/>${dots}`;
  };
  const ticks = score.sizes
    .map(
      (m, i) =>
        `<text x="${px(xs[i] ?? 0).toFixed(1)}" y="${H - pad.bottom + 14}" font-size="9" text-anchor="middle">${m}</text>`,
    )
    .join('');
  const yTicks = [0, 1, Math.round(yMax / 2), Math.floor(yMax)]
    .filter((v, i, all) => all.indexOf(v) === i && v <= yMax)
    .map(
      (v) =>
        `<line x1="${pad.left}" x2="${W - pad.right}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#e5e7eb"/><text x="${pad.left - 4}" y="${(py(v) + 3).toFixed(1)}" font-size="9" text-anchor="end">${v}</text>`,
    )
    .join('');
  const title = `${score.implementation}: ${formatScore(score)}`;
  return `<figure style="margin:0;border:1px solid #e5e7eb;border-radius:6px"><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">
<text x="${pad.left}" y="14" font-size="12" font-weight="bold">${escapeHtml(title)}</text>
<text x="${pad.left}" y="27" font-size="9">÷ ${score.normalisedAt} MB · ━ here · ╌ published (${escapeHtml(score.publishedAs)}${score.rows ? `, ${score.rows.toLocaleString('en')} rows` : ''})</text>
${yTicks}${ticks}<text x="${W - pad.right}" y="${H - 4}" font-size="9" text-anchor="end">memory (MB)</text>
${line(score.published, 'stroke-dasharray="5 4"', '#9ca3af')}${line(score.local, '', '#2563eb')}
</svg></figure>`;
}
