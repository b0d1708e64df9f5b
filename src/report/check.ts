import type { Metric, MetricComparison, RegressionReport } from '../stats/regression.js';
import { ms, usd } from './format.js';

/** What `lambench check` decided, with where both sides came from (its --json output). */
export interface CheckReport extends RegressionReport {
  function: string;
  baseline: string;
  candidate: string;
}

const METRIC_LABEL: Record<Metric, string> = {
  duration: 'duration ms (median)',
  coldStart: 'cold start ms (init + first)',
  maxMemory: 'max memory MB',
  cost: 'cost / 1M (median)',
};

function value(metric: Metric, x: number): string {
  if (Number.isNaN(x)) return '–';
  if (metric === 'cost') return usd(x * 1_000_000);
  if (metric === 'maxMemory') return String(Math.round(x));
  return ms(x);
}

const ratio = (m: MetricComparison) => {
  const r = Number.isFinite(m.ratio) ? m.ratio.toFixed(3) : '–';
  return Number.isNaN(m.low) ? r : `${r} [${m.low.toFixed(3)}–${m.high.toFixed(3)}]`;
};

const pct = (x: number) => `${(x * 100).toFixed(1).replace(/\.0$/, '')} %`;

const verdictCell = (m: MetricComparison, threshold: number) =>
  m.verdict === 'regressed'
    ? '**regressed**'
    : m.verdict === 'too-few'
      ? `too few (n ${m.baseline.n} / ${m.candidate.n})`
      : m.verdict === 'within'
        ? `within ±${pct(threshold)}`
        : m.verdict;

/** The one-line verdict: what failed the gate, or that nothing did. */
export function checkHeadline(report: CheckReport): string {
  if (!report.regressed) {
    const open = report.sizes.flatMap((s) => s.metrics.filter((m) => m.verdict === 'inconclusive')).length;
    // Passing for want of evidence is not the same as passing: say so, and what would decide it.
    const note = open
      ? ` ${open} inconclusive (the CI reaches past the threshold): more invocations (-n, --precision) would decide them.`
      : '';
    return `No regression beyond +${pct(report.threshold)} at ${report.sizes.length} sizes.${note}`;
  }
  const parts = report.sizes
    .filter((s) => s.regressed.length > 0)
    .map((s) => `${s.memoryMB} MB (${s.regressed.join(', ')})`);
  return `Regressed beyond +${pct(report.threshold)}: ${parts.join('; ')}.`;
}

/** Markdown for the terminal, a README or `$GITHUB_STEP_SUMMARY`. */
export function renderCheckMarkdown(report: CheckReport): string {
  const rows = report.sizes.flatMap((s) =>
    s.metrics.map(
      (m) =>
        `| ${s.memoryMB} | ${METRIC_LABEL[m.metric]} | ${value(m.metric, m.baseline.median)} | ${value(m.metric, m.candidate.median)} | ${ratio(m)} | ${verdictCell(m, report.threshold)} |`,
    ),
  );
  const unmatched = [
    ...(report.baselineOnly.length
      ? [`Only in the baseline (not compared): ${report.baselineOnly.join(', ')} MB.`]
      : []),
    ...(report.candidateOnly.length
      ? [`Only in the candidate (not compared): ${report.candidateOnly.join(', ')} MB.`]
      : []),
  ];
  return [
    `## lambench check: ${report.function}`,
    '',
    `**${report.regressed ? 'FAIL' : 'PASS'}** — ${checkHeadline(report)}`,
    '',
    '| memory MB | metric | baseline | candidate | ratio [95 % CI] | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...unmatched,
    `A metric regressed when the whole ${pct(report.confidence)} CI of candidate / baseline lies above ${(1 + report.threshold).toFixed(3)} (${report.method}, ${report.resamples} resamples, seed ${report.seed}).`,
    `Baseline: ${report.baseline}; candidate: ${report.candidate}.`,
    '',
  ].join('\n');
}
