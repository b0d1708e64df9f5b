import { countVerdicts, type PlannedMonthly, renderDashboard, resultsCard } from '../report/dashboard.js';
import { escapeHtml } from '../report/format.js';
import type { TuneResult } from '../tuner/types.js';
import { type FidelityScore, formatScore } from './fidelity.js';
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
        `<tr style="background:${COLOURS[c.verdict]}"><td data-label="claim">${escapeHtml(c.claim)}</td><td data-label="published">${escapeHtml(c.published)}</td><td data-label="measured here">${escapeHtml(c.measured)}</td><td data-label="verdict"><b>${c.verdict}</b></td><td data-label="why">${escapeHtml(c.why)}</td></tr>`,
    )
    .join('');
  const notes = outcome.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<p>Source: ${escapeHtml(source)}. Host: ${escapeHtml(host)}.</p>
<div class="table-wrap"><table class="claims"><thead><tr><th>claim</th><th>published</th><th>measured here</th><th>verdict</th><th>why</th></tr></thead><tbody>${rows}</tbody></table></div>
${notes ? `<ul>${notes}</ul>` : ''}${(outcome.tables ?? []).map(tableHtml).join('\n')}${fidelityHtml(outcome.fidelity ?? [])}`;
}

function tableHtml(table: OutcomeTable): string {
  const cells = (row: string[], tag: 'th' | 'td') => row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('');
  return `<h3>${escapeHtml(table.title)}</h3>
<div class="table-wrap"><table><thead><tr>${cells(table.header, 'th')}</tr></thead><tbody>${table.rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody></table></div>`;
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

export interface RunEntry {
  name: string;
  title: string;
  outcome?: ExperimentOutcome;
  error?: string;
}

export interface DashboardOptions {
  /** The month's bill at a planned traffic, per result (see PlannedMonthly); absent without a plan. */
  planned?: (result: TuneResult) => PlannedMonthly | undefined;
}

/** The run's index.html: a card per experiment with its key chart, verdict counts and headline figures. */
export function indexHtml(entries: RunEntry[], host: string, options: DashboardOptions = {}): string {
  const cards = entries.map((e, i) =>
    resultsCard(
      {
        title: e.title,
        href: `${e.name}/report.html`,
        subtitle: e.name,
        ...(e.outcome ? { verdicts: countVerdicts(e.outcome.claims) } : {}),
        ...(e.error !== undefined ? { failed: e.error } : {}),
        links: [
          ...(e.outcome?.results.length ? [{ label: 'per function', href: `${e.name}/index.html` }] : []),
          ...(e.outcome?.fidelity?.length ? [{ label: 'fidelity.json', href: `${e.name}/fidelity.json` }] : []),
        ],
        ...(e.outcome?.fidelity?.length ? { notes: [fidelityLine(e.outcome.fidelity)] } : {}),
      },
      e.outcome?.results ?? [],
      `key-${i}`,
      { ...options, ...(e.outcome?.charts?.[0] ? { fallbackChart: e.outcome.charts[0] } : {}) },
    ),
  );
  return renderDashboard({ title: 'lambench: the classic Lambda experiments', subtitle: host, cards });
}

/** An experiment folder's index.html: a card per tuned function, each one click from its own report folder. */
export function experimentIndexHtml(
  entry: RunEntry,
  folderOf: (result: TuneResult) => string,
  options: DashboardOptions = {},
): string {
  const results = entry.outcome?.results ?? [];
  const cards = results.map((r, i) =>
    resultsCard(
      { title: r.function, href: `${folderOf(r)}/report.html`, subtitle: r.recommendation },
      [r],
      `key-${i}`,
      options,
    ),
  );
  return renderDashboard({
    title: entry.title,
    subtitle: `${results.length} functions · the claims and shared charts are in report.html`,
    cards: [
      resultsCard(
        {
          title: 'All functions, claims and notes',
          href: 'report.html',
          ...(entry.outcome ? { verdicts: countVerdicts(entry.outcome.claims) } : {}),
          ...(entry.error !== undefined ? { failed: entry.error } : {}),
        },
        results.length > 1 ? results : [],
        'key-all',
        options,
      ),
      ...cards,
    ],
    back: { href: '../index.html', label: 'all experiments' },
  });
}

/** The experiment's fidelity scores in one line of its card ("fidelity …: csv-etl-node-as-published 8.1 %, …"). */
function fidelityLine(scores: FidelityScore[]): string {
  const listed = scores.map(
    (s) => `${s.implementation}${s.rows ? ` (${s.rows.toLocaleString('en')} rows)` : ''} ${formatScore(s)}`,
  );
  return `fidelity to the published AWS curves (mean abs. error of the normalised curves): ${listed.join(', ')}`;
}
