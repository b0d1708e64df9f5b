import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { compareTableHtml, compareTableMarkdown, type LabelledRun, labelRuns } from '../../report/compare.js';
import { renderHtml } from '../../report/html.js';
import { compareVisualizationUrl, decodeVisualizationUrl } from '../../report/visualization.js';
import type { TuneResult } from '../../tuner/types.js';
import { parse } from '../args.js';

const USAGE = 'lambench compare <result.json|run dir> <result.json|run dir> … [--out report.html] [--json]';

async function readResult(ref: string): Promise<TuneResult> {
  const file = ref.endsWith('.json') ? ref : path.join(ref, 'result.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new LambenchError('INVALID_ARGUMENT', `Cannot read a tune result from ${file}: ${(error as Error).message}`);
  }
  const result = parsed as Partial<TuneResult>;
  if (!Array.isArray(result.configs) || typeof result.function !== 'string') {
    throw new LambenchError('INVALID_ARGUMENT', `${file} is not a lambench tune result (no "function" and "configs").`);
  }
  return result as TuneResult;
}

/**
 * The PowerTuning UI compares exactly two data sets; each run's own URL already holds its points (the figures
 * the strategy decided on), so they are reused as they are.
 */
function twoRunVisualization(runs: LabelledRun[]): string | undefined {
  const [first, second] = runs;
  if (runs.length !== 2 || !first || !second) return undefined;
  return compareVisualizationUrl(
    { legend: first.label, points: decodeVisualizationUrl(first.result.visualization) },
    { legend: second.label, points: decodeVisualizationUrl(second.result.visualization) },
  );
}

/** The run folder's name: what tells two runs of one function apart. */
const folderOf = (ref: string) =>
  path.basename(ref.endsWith('.json') ? path.dirname(path.resolve(ref)) : path.resolve(ref));

export async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { out: { type: 'string' }, json: { type: 'boolean', default: false } },
    USAGE,
  );
  if (positionals.length < 2)
    throw new LambenchError('INVALID_ARGUMENT', 'compare needs at least two results.', `Usage: ${USAGE}`);
  const results = await Promise.all(positionals.map(readResult));
  const runs = labelRuns(results.map((result, i) => ({ result, folder: folderOf(positionals[i] ?? '') })));
  const out = path.resolve(values.out ?? 'lambench-compare.html');
  const visualization = twoRunVisualization(runs);
  await writeFile(
    out,
    renderHtml(results, {
      title: `lambench comparison: ${results.map((r) => r.function).join(' vs ')}`,
      intro: compareTableHtml(runs),
      labels: runs.map((r) => r.label),
      ...(visualization ? { visualization } : {}),
    }),
  );
  if (values.json) {
    const summary = runs.map((r) => ({ label: r.label, function: r.result.function, best: r.result.best }));
    process.stdout.write(
      `${JSON.stringify({ report: out, results: summary, ...(visualization ? { visualization } : {}) })}\n`,
    );
  } else {
    const recommendations = runs.map((r) => `- ${r.label}: ${r.result.recommendation}`).join('\n');
    const link = visualization ? `PowerTuning comparison: ${visualization}\n` : '';
    process.stdout.write(`${compareTableMarkdown(runs)}\n\n${recommendations}\n\n${link}Comparison report: ${out}\n`);
  }
  return 0;
}
