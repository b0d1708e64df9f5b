import type { TuneResult } from '../tuner/types.js';
import { escapeHtml, ms, usd } from './format.js';

export interface LabelledRun {
  /** "cpu-node (cpu-node-2025-01-01T10-00-00)": the function name alone cannot tell two runs of it apart. */
  label: string;
  result: TuneResult;
}

/** Labels runs by function and run folder; a label that still repeats (the same run twice) gets "#2", "#3". */
export function labelRuns(runs: Array<{ result: TuneResult; folder: string }>): LabelledRun[] {
  const seen = new Map<string, number>();
  return runs.map(({ result, folder }) => {
    const base = folder ? `${result.function} (${folder})` : result.function;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return { label: count > 1 ? `${base} #${count}` : base, result };
  });
}

interface Cell {
  p50?: number;
  per1M?: number;
  best: boolean;
}

/** Memory sizes as rows (the union over runs), each run's p50 and cost per 1M as columns. */
function grid(runs: LabelledRun[]): { sizes: number[]; cells: (memoryMB: number, run: LabelledRun) => Cell | null } {
  const sizes = [...new Set(runs.flatMap((r) => r.result.configs.map((c) => c.memoryMB)))].sort((a, b) => a - b);
  const cells = (memoryMB: number, run: LabelledRun): Cell | null => {
    const c = run.result.configs.find((x) => x.memoryMB === memoryMB);
    if (!c) return null;
    return {
      ...(c.durationMs ? { p50: c.durationMs.p50 } : {}),
      ...(c.costUSD ? { per1M: c.costUSD.per1M } : {}),
      best: run.result.best?.memoryMB === memoryMB,
    };
  };
  return { sizes, cells };
}

export function compareTableMarkdown(runs: LabelledRun[]): string {
  const { sizes, cells } = grid(runs);
  const md = (text: string) => text.replaceAll('|', '\\|');
  const header = runs.flatMap((r) => [`${md(r.label)} p50 ms`, `${md(r.label)} cost / 1M`]);
  const rows = sizes.map((m) => {
    const values = runs.flatMap((run) => {
      const cell = cells(m, run);
      if (!cell) return ['', ''];
      const mark = (text: string) => (cell.best ? `**${text}**` : text);
      return [mark(ms(cell.p50)), mark(usd(cell.per1M))];
    });
    return `| ${m} | ${values.join(' | ')} |`;
  });
  return [
    `| memory (MB) | ${header.join(' | ')} |`,
    `| --- | ${header.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
    "Bold: each run's recommended size. Blank: the run did not measure that size.",
  ].join('\n');
}

export function compareTableHtml(runs: LabelledRun[]): string {
  const { sizes, cells } = grid(runs);
  const head = runs.map((r) => `<th colspan="2">${escapeHtml(r.label)}</th>`).join('');
  const sub = runs.map(() => '<th>p50 ms</th><th>cost / 1M</th>').join('');
  const rows = sizes
    .map((m) => {
      const values = runs
        .map((run) => {
          const cell = cells(m, run);
          if (!cell) return '<td></td><td></td>';
          const cls = cell.best ? ' class="best-cell"' : '';
          return `<td${cls}>${ms(cell.p50)}</td><td${cls}>${usd(cell.per1M)}</td>`;
        })
        .join('');
      return `<tr><td>${m}</td>${values}</tr>`;
    })
    .join('\n');
  return `<table id="compare-table"><thead><tr><th rowspan="2">memory MB</th>${head}</tr><tr>${sub}</tr></thead><tbody>${rows}</tbody></table>
<p><small>Highlighted: each run's recommended size. Empty: the run did not measure that size.</small></p>`;
}
