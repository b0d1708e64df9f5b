import { escapeHtml } from '../report/format.js';
import { formatScore } from './fidelity.js';
import { fidelityHtml, fidelityMarkdown } from './fidelity-report.js';
import type { ClaimCheck, ExperimentOutcome, OutcomeTable } from './types.js';

const COLOURS: Record<ClaimCheck['verdict'], string> = {
  reproduced: '#ecfdf5',
  'not reproduced': '#fef2f2',
  'not run': '#f3f4f6',
};

export function claimsHtml(outcome: ExperimentOutcome, source: string, host: string): string {
  const rows = outcome.claims
    .map(
      (c) =>
        `<tr style="background:${COLOURS[c.verdict]}"><td>${escapeHtml(c.claim)}</td><td>${escapeHtml(c.published)}</td><td>${escapeHtml(c.measured)}</td><td><b>${c.verdict}</b></td><td>${escapeHtml(c.why)}</td></tr>`,
    )
    .join('');
  const notes = outcome.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<p>Source: ${escapeHtml(source)}. Host: ${escapeHtml(host)}.</p>
<table><thead><tr><th>claim</th><th>published</th><th>measured here</th><th>verdict</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>
${notes ? `<ul>${notes}</ul>` : ''}${(outcome.tables ?? []).map(tableHtml).join('\n')}${fidelityHtml(outcome.fidelity ?? [])}`;
}

function tableHtml(table: OutcomeTable): string {
  const cells = (row: string[], tag: 'th' | 'td') => row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('');
  return `<h3>${escapeHtml(table.title)}</h3>
<table><thead><tr>${cells(table.header, 'th')}</tr></thead><tbody>${table.rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody></table>`;
}

function tableMarkdown(table: OutcomeTable): string[] {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [
    `#### ${table.title}`,
    '',
    line(table.header),
    line(table.header.map(() => '---')),
    ...table.rows.map(line),
    '',
  ];
}

export function claimsMarkdown(title: string, outcome: ExperimentOutcome): string {
  const rows = outcome.claims.map((c) =>
    `| ${c.claim} | ${c.published} | ${c.measured} | **${c.verdict}** | ${c.why} |`.replace(/\n/g, ' '),
  );
  return [
    `### ${title}`,
    '',
    '| claim | published | measured here | verdict | why |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...outcome.notes.map((n) => `- ${n}`),
    '',
    ...(outcome.tables ?? []).flatMap(tableMarkdown),
    ...fidelityMarkdown(outcome.fidelity ?? []),
  ].join('\n');
}

export function indexHtml(
  entries: Array<{ name: string; title: string; outcome?: ExperimentOutcome; error?: string }>,
  host: string,
): string {
  const items = entries
    .map((e) => {
      const counts = e.outcome
        ? (['reproduced', 'not reproduced', 'not run'] as const)
            .map((v) => `${e.outcome?.claims.filter((c) => c.verdict === v).length ?? 0} ${v}`)
            .join(', ')
        : `failed: ${escapeHtml(e.error ?? '')}`;
      return `<li><a href="${e.name}/report.html">${escapeHtml(e.title)}</a> — ${counts}${fidelityLine(e.name, e.outcome)}</li>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lambench experiments</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:32px auto;padding:0 16px}</style></head>
<body><h1>lambench: the classic Lambda experiments</h1><p>${escapeHtml(host)}</p><ul>${items}</ul></body></html>\n`;
}

/** The experiment's fidelity scores in one line of the index ("fidelity: csv-etl-node-as-published 8.1 %, …"). */
function fidelityLine(name: string, outcome: ExperimentOutcome | undefined): string {
  const scores = outcome?.fidelity ?? [];
  if (!scores.length) return '';
  return `<br><small>fidelity to the published AWS curves (mean abs. error, <a href="${name}/fidelity.json">fidelity.json</a>): ${scores
    .map(
      (s) =>
        `${escapeHtml(s.implementation)}${s.rows ? ` (${s.rows.toLocaleString('en')} rows)` : ''} <b>${formatScore(s)}</b>`,
    )
    .join(', ')}</small>`;
}
