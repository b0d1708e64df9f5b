import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { type CheckReport, checkHeadline, renderCheckMarkdown } from '../../report/check.js';
import { writeReportFolder } from '../../report/folder.js';
import { newSeed } from '../../stats/random.js';
import { decideRegression } from '../../stats/regression.js';
import { runPaired } from '../../tuner/interleave.js';
import { type TunePlan, validatePlan } from '../../tuner/plan.js';
import { progressPrinter } from '../../tuner/progress.js';
import { isSavedRun, pricingOf, readSavedRun, type SavedRun, sizeSamples } from '../../tuner/saved-run.js';
import { tune } from '../../tuner/tune.js';
import type { InvocationRecord } from '../../tuner/types.js';
import { fractionOption, integerOption, parse, requirePositional } from '../args.js';
import { networkOption } from '../endpoints.js';
import { readPayloadArgument } from '../payload.js';
import { abortOnSignal, openTarget } from '../target.js';
import { templateOptions, templateTarget } from '../template.js';

const USAGE =
  'lambench check <function|folder|arn|run dir|result.json> --baseline <run dir|result.json> [--threshold 5%] [--payload JSON|@file] [--paired] [--out DIR] [--seed N] [--resamples N] [--json] [--target local|aws] [--isolation I] [--region R] [--network lambda-2026|none] [--template template.yaml [--parameter-overrides K=V …]]';

const OPTIONS = {
  baseline: { type: 'string' },
  threshold: { type: 'string' },
  payload: { type: 'string' },
  paired: { type: 'boolean', default: false },
  out: { type: 'string' },
  seed: { type: 'string' },
  resamples: { type: 'string' },
  json: { type: 'boolean', default: false },
  target: { type: 'string' },
  isolation: { type: 'string' },
  region: { type: 'string' },
  ...networkOption,
  ...templateOptions,
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

const bad = (message: string, hint?: string) => new LambenchError('INVALID_ARGUMENT', message, hint);

/**
 * The candidate side: a given run folder as it is, or the function measured now with the baseline's saved plan
 * (sizes, payloads, n or precision, warm-ups, order), only the function, the payload (--payload) and the order's
 * seed being new. The new run is written to --out like any tune, so the evidence stays.
 */
/** The baseline's saved plan, which a re-measurement repeats; refused when the folder has none. */
function savedPlanOf(baseline: SavedRun): TunePlan {
  const saved = baseline.progress?.plan;
  if (!saved) {
    throw bad(
      `The baseline ${baseline.dir} has no progress.json, so its plan (sizes, payloads, n) is unknown.`,
      'Give a new run folder to compare instead of a function, or tune the baseline again with --out.',
    );
  }
  return saved;
}

async function openLike(baseline: SavedRun, ref: string, values: Values) {
  const measuredOn = baseline.progress?.target ?? baseline.result.target;
  const kind = values.target ?? measuredOn;
  if (kind !== measuredOn) {
    throw bad(`The baseline was measured on the ${measuredOn} target, not ${kind}: the figures would not compare.`);
  }
  return openTarget(kind, ref, {
    ...(values.isolation ? { isolation: values.isolation } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.network ? { network: values.network } : {}),
    ...(await templateTarget(values)),
  });
}

/** The baseline's plan for another function (and, with --payload, other payloads); output-only options dropped. */
async function candidatePlan(saved: TunePlan, functionName: string, values: Values): Promise<TunePlan> {
  const payloads =
    values.payload !== undefined
      ? [{ name: 'payload', payload: await readPayloadArgument(values.payload), weight: 1 }]
      : saved.payloads;
  return validatePlan({
    ...saved,
    functionName,
    payloads,
    autoApply: false,
    invocationsPerMonth: undefined,
    freeTier: undefined,
    ...(saved.order === 'interleaved' ? { seed: newSeed() } : {}),
  });
}

const outDirFor = (values: Values, functionName: string) =>
  path.resolve(values.out ?? path.join('lambench-results', `check-${functionName}-${stamp()}`));

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
  const saved = savedPlanOf(baseline);
  const opened = await openLike(baseline, ref, values);
  try {
    const plan = await candidatePlan(saved, opened.functionName, values);
    const outDir = outDirFor(values, plan.functionName);
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

/**
 * --paired: the baseline's plan (its function, its payloads) measured again in the same seeded rounds as the
 * candidate, and the two fresh samples compared; the saved baseline gives the plan and the pricing only. Both
 * sides' invocations are written to --out (baseline.jsonl, candidate.jsonl).
 */
async function pairedRuns(ref: string, baseline: SavedRun, values: Values): Promise<[SavedRun, SavedRun]> {
  if (await isSavedRun(ref)) throw bad('--paired measures both sides now: give a function, not a saved run.');
  const saved = savedPlanOf(baseline);
  const opened = await openLike(baseline, ref, values);
  try {
    const plan = await candidatePlan(saved, opened.functionName, values);
    const outDir = outDirFor(values, plan.functionName);
    const seed = newSeed();
    const controller = abortOnSignal();
    let records: Awaited<ReturnType<typeof runPaired>>;
    try {
      records = await runPaired(opened.target, saved, plan, {
        seed,
        signal: controller.signal,
        onProgress: progressPrinter(),
      });
    } finally {
      controller.dispose();
      await opened.target.cleanup();
    }
    await mkdir(outDir, { recursive: true });
    const jsonl = (rs: InvocationRecord[]) => rs.map((r) => `${JSON.stringify(r)}\n`).join('');
    await writeFile(path.join(outDir, 'baseline.jsonl'), jsonl(records.baseline));
    await writeFile(path.join(outDir, 'candidate.jsonl'), jsonl(records.candidate));
    const result = { ...baseline.result, function: plan.functionName };
    return [
      {
        ...baseline,
        dir: `${baseline.dir} (its plan, measured again alongside, seed ${seed})`,
        records: records.baseline,
      },
      { dir: outDir, result, records: records.candidate, progress: null },
    ];
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
  const saved = await readSavedRun(values.baseline);
  let baseline = saved;
  let candidate: SavedRun | 'interrupted';
  if (values.paired) [baseline, candidate] = await pairedRuns(ref, saved, values);
  else candidate = await candidateRun(ref, saved, values);
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
