import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { type CheckReport, checkHeadline, renderCheckMarkdown } from '../../report/check.js';
import { writeReportFolder } from '../../report/folder.js';
import { newSeed } from '../../stats/random.js';
import { decideRegression } from '../../stats/regression.js';
import { type TunePlan, validatePlan } from '../../tuner/plan.js';
import { progressPrinter } from '../../tuner/progress.js';
import { isSavedRun, pricingOf, readSavedRun, type SavedRun, sizeSamples } from '../../tuner/saved-run.js';
import { tune } from '../../tuner/tune.js';
import { fractionOption, integerOption, parse, requirePositional } from '../args.js';
import { readPayloadArgument } from '../payload.js';
import { openTarget } from '../target.js';

const USAGE =
  'lambench check <function|folder|arn|run dir|result.json> --baseline <run dir|result.json> [--threshold 5%] [--payload JSON|@file] [--out DIR] [--seed N] [--resamples N] [--json] [--target local|aws] [--isolation I] [--region R]';

const OPTIONS = {
  baseline: { type: 'string' },
  threshold: { type: 'string' },
  payload: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  resamples: { type: 'string' },
  json: { type: 'boolean', default: false },
  target: { type: 'string' },
  isolation: { type: 'string' },
  region: { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

const bad = (message: string, hint?: string) => new LambenchError('INVALID_ARGUMENT', message, hint);

/**
 * The candidate side: a given run folder as it is, or the function measured now with the baseline's saved plan
 * (sizes, payloads, n or precision, warm-ups, order), only the function, the payload (--payload) and the order's
 * seed being new. The new run is written to --out like any tune, so the evidence stays.
 */
async function candidateRun(ref: string, baseline: SavedRun, values: Values): Promise<SavedRun | 'interrupted'> {
  if (await isSavedRun(ref)) {
    if (values.payload !== undefined) throw bad('--payload applies when the function is measured, not to a saved run.');
    return readSavedRun(ref);
  }
  const saved = baseline.progress?.plan;
  if (!saved) {
    throw bad(
      `The baseline ${baseline.dir} has no progress.json, so its plan (sizes, payloads, n) is unknown.`,
      'Give a new run folder to compare instead of a function, or tune the baseline again with --out.',
    );
  }
  const measuredOn = baseline.progress?.target ?? baseline.result.target;
  const kind = values.target ?? measuredOn;
  if (kind !== measuredOn) {
    throw bad(`The baseline was measured on the ${measuredOn} target, not ${kind}: the figures would not compare.`);
  }
  const opened = await openTarget(kind, ref, {
    ...(values.isolation ? { isolation: values.isolation } : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  try {
    const payloads =
      values.payload !== undefined
        ? [{ name: 'payload', payload: await readPayloadArgument(values.payload), weight: 1 }]
        : saved.payloads;
    const plan: TunePlan = validatePlan({
      ...saved,
      functionName: opened.functionName,
      payloads,
      autoApply: false,
      invocationsPerMonth: undefined,
      freeTier: undefined,
      ...(saved.order === 'interleaved' ? { seed: newSeed() } : {}),
    });
    const outDir = path.resolve(values.out ?? path.join('lambench-results', `check-${plan.functionName}-${stamp()}`));
    const run = await tune(opened.target, plan, {
      outDir,
      onProgress: progressPrinter(),
      onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
      onPartialResult: (partial, soFar) => writeReportFolder(outDir, partial, soFar),
    });
    await writeReportFolder(outDir, run.result, run.records);
    if (run.interrupted) {
      process.stderr.write(`interrupted: the measurements so far are in ${outDir}\n`);
      return 'interrupted';
    }
    return { dir: outDir, result: run.result, records: run.records, progress: null };
  } finally {
    await opened.close();
  }
}

export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  const ref = requirePositional(positionals, 0, 'the function or run to check', USAGE);
  if (!values.baseline) throw bad('Missing --baseline <run dir|result.json>.', `Usage: ${USAGE}`);
  const threshold = fractionOption(values.threshold, 'threshold') ?? 0.05;
  const resamples = integerOption(values.resamples, 'resamples') ?? 2000;
  if (resamples < 100) throw bad(`--resamples must be at least 100, got ${resamples}.`);
  const seed = integerOption(values.seed, 'seed') ?? 1;
  const baseline = await readSavedRun(values.baseline);
  const candidate = await candidateRun(ref, baseline, values);
  if (candidate === 'interrupted') return 130;
  if (candidate.result.target !== baseline.result.target) {
    throw bad(
      `The baseline ran on the ${baseline.result.target} target and the candidate on ${candidate.result.target}: the figures do not compare.`,
    );
  }
  const decided = decideRegression(
    sizeSamples(baseline.records, pricingOf(baseline.result)),
    sizeSamples(candidate.records, pricingOf(candidate.result)),
    { threshold, resamples, seed },
  );
  if (decided.sizes.length === 0) {
    throw bad(
      `The baseline (${decided.baselineOnly.join(', ') || 'none'} MB) and the candidate (${decided.candidateOnly.join(', ') || 'none'} MB) have no memory size in common.`,
    );
  }
  const report: CheckReport = {
    function: candidate.result.function,
    baseline: baseline.dir,
    candidate: candidate.dir,
    ...decided,
  };
  const markdown = renderCheckMarkdown(report);
  // GitHub reads the job summary from this file; steps append to it.
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) await appendFile(summaryFile, `${markdown}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : markdown);
  if (report.regressed) process.stderr.write(`regression: ${checkHeadline(report)}\n`);
  return report.regressed ? 1 : 0;
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
