import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { writeReportFolder } from '../../report/folder.js';
import { renderMarkdown } from '../../report/markdown.js';
import { newSeed } from '../../stats/random.js';
import { RunStore } from '../../tuner/persist.js';
import {
  DEFAULT_MEMORY_SIZES,
  parseMemoryList,
  parseStrategy,
  type RunOrder,
  readPayloadsFile,
  type TunePlan,
  validatePlan,
} from '../../tuner/plan.js';
import {
  defaultSettings,
  finishPowerTuning,
  loadExecution,
  POWERTUNING_OUTPUT_FILE,
} from '../../tuner/powertuning/index.js';
import { progressPrinter } from '../../tuner/progress.js';
import { resumePlan } from '../../tuner/resume.js';
import { DEFAULT_TOLERANCE } from '../../tuner/strategy.js';
import { tune } from '../../tuner/tune.js';
import { fractionOption, integerOption, parse, requirePositional } from '../args.js';
import { networkOption } from '../endpoints.js';
import { readPayloadArgument } from '../payload.js';
import { openTarget } from '../target.js';
import { templateOptions, templateTarget } from '../template.js';

const USAGE =
  'lambench tune <function|folder|arn> [--memory 128,256,…] [-n N | --precision P [--min-n N] [--max-n N]] [--order interleaved|sequential] [--seed N] [--parallel] [--payload JSON|@file] [--payloads-file F] [--strategy cost|speed|balanced] [--balanced-weight W] [--tolerance 5%] [--cold-only] [--warmup N] [--sleep MS] [--arch x86_64|arm64] [--region R] [--allowed-errors T,…] [--auto-apply] [--per-month N] [--free-tier] [--out DIR] [--resume] [--json] [--target local|aws] [--network lambda-2026|none] [--template template.yaml [--parameter-overrides K=V …]] [--input execution-input.json] [--output-format lambench|powertuning]';

const OPTIONS = {
  memory: { type: 'string' },
  n: { type: 'string', short: 'n' },
  precision: { type: 'string' },
  'min-n': { type: 'string' },
  'max-n': { type: 'string' },
  order: { type: 'string' },
  seed: { type: 'string' },
  parallel: { type: 'boolean' },
  payload: { type: 'string' },
  'payloads-file': { type: 'string' },
  strategy: { type: 'string' },
  'balanced-weight': { type: 'string' },
  tolerance: { type: 'string' },
  'cold-only': { type: 'boolean' },
  warmup: { type: 'string' },
  sleep: { type: 'string' },
  arch: { type: 'string' },
  region: { type: 'string' },
  'allowed-errors': { type: 'string' },
  'auto-apply': { type: 'boolean' },
  'per-month': { type: 'string' },
  'free-tier': { type: 'boolean' },
  out: { type: 'string' },
  resume: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  target: { type: 'string' },
  isolation: { type: 'string' },
  ...templateOptions,
  input: { type: 'string' },
  'output-format': { type: 'string' },
  ...networkOption,
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

/**
 * The plan options the user typed, and only those (no defaults here), so that --resume can tell an option that
 * repeats the saved plan from one that contradicts it.
 */
async function givenOptions(values: Values): Promise<Partial<TunePlan>> {
  const given: Partial<TunePlan> = {};
  if (values.memory !== undefined) given.memorySizes = parseMemoryList(values.memory);
  const n = integerOption(values.n, 'n');
  if (n !== undefined) given.invocations = n;
  Object.assign(given, samplingOptions(values, n));
  if (values.parallel) given.parallel = true;
  if (values['payloads-file'] !== undefined && values.payload !== undefined) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      '--payload and --payloads-file both give the payloads; use one.',
      'Put a single payload in the file as [{"payload": {...}}], or pass only --payload.',
    );
  }
  if (values['payloads-file'] !== undefined) given.payloads = await readPayloadsFile(values['payloads-file']);
  else if (values.payload !== undefined) {
    given.payloads = [{ name: 'payload', payload: await readPayloadArgument(values.payload), weight: 1 }];
  }
  if (values.strategy !== undefined) given.strategy = parseStrategy(values.strategy);
  if (values['balanced-weight'] !== undefined) {
    const text = values['balanced-weight'].trim();
    given.balancedWeight = text === '' ? Number.NaN : Number(text);
  }
  const tolerance = fractionOption(values.tolerance, 'tolerance');
  if (tolerance !== undefined) given.tolerance = tolerance;
  if (values['cold-only']) given.coldOnly = true;
  const warmup = integerOption(values.warmup, 'warmup');
  if (warmup !== undefined) given.warmup = warmup;
  const sleep = integerOption(values.sleep, 'sleep');
  if (sleep !== undefined) given.sleepBetweenMs = sleep;
  if (values.arch !== undefined) {
    if (values.arch !== 'x86_64' && values.arch !== 'arm64') {
      throw new LambenchError('INVALID_ARGUMENT', `--arch must be x86_64 or arm64, got "${values.arch}".`);
    }
    given.architecture = values.arch;
  }
  if (values.region !== undefined) given.region = values.region;
  if (values['allowed-errors'] !== undefined) {
    given.allowedErrorTypes = values['allowed-errors']
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  }
  if (values['auto-apply']) given.autoApply = true;
  const perMonth = integerOption(values['per-month'], 'per-month');
  if (perMonth !== undefined) given.invocationsPerMonth = perMonth;
  if (values['free-tier']) given.freeTier = true;
  return given;
}

/** --precision / --min-n / --max-n (adaptive sampling), --order and --seed, as typed. */
function samplingOptions(values: Values, n: number | undefined): Partial<TunePlan> {
  const given: Partial<TunePlan> = {};
  const precision = fractionOption(values.precision, 'precision');
  const minN = integerOption(values['min-n'], 'min-n');
  const maxN = integerOption(values['max-n'], 'max-n');
  if (precision === undefined && (minN !== undefined || maxN !== undefined)) {
    throw new LambenchError('INVALID_ARGUMENT', '--min-n and --max-n bound adaptive sampling: give --precision too.');
  }
  if (precision !== undefined) {
    if (n !== undefined) {
      throw new LambenchError(
        'INVALID_ARGUMENT',
        '-n fixes the invocations per size, --precision samples until the median is known well enough; use one.',
        'With --precision, bound the count with --min-n and --max-n.',
      );
    }
    given.precision = precision;
    given.minInvocations = minN ?? DEFAULT_MIN_N;
    given.invocations = maxN ?? Math.max(DEFAULT_MAX_N, given.minInvocations);
  }
  if (values.order !== undefined) given.order = values.order as RunOrder;
  const seed = integerOption(values.seed, 'seed');
  if (seed !== undefined) given.seed = seed;
  return given;
}

/** Adaptive sampling's bounds: 10 is the least n whose median CI is a real 95 % one with room to narrow. */
const DEFAULT_MIN_N = 10;
const DEFAULT_MAX_N = 100;

/**
 * New runs interleave the sizes (a seeded random round robin) unless --parallel (a burst per size) or
 * --order sequential; the seed is drawn once and saved in the plan.
 */
function orderDefaults(plan: TunePlan): TunePlan {
  const order = plan.order ?? (plan.parallel ? 'sequential' : 'interleaved');
  return { ...plan, order, ...(order === 'interleaved' ? { seed: plan.seed ?? newSeed() } : {}) };
}

/** A PowerTuning execution input is judged by PowerTuning's rule (the strictly best size) unless --tolerance says. */
const powerTuningRule = (execution: unknown): Partial<TunePlan> => (execution ? { tolerance: 0 } : {});

const defaults = (functionName: string): TunePlan => ({
  functionName,
  memorySizes: [...DEFAULT_MEMORY_SIZES],
  invocations: 10,
  parallel: false,
  payloads: [{ name: 'payload', payload: '{}', weight: 1 }],
  strategy: 'cost',
  balancedWeight: 0.5,
  tolerance: DEFAULT_TOLERANCE,
  coldOnly: false,
  warmup: 1,
  sleepBetweenMs: 0,
  // Pricing architecture and region stay unset unless given, so tune() takes the function's and the target's.
  ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
  allowedErrorTypes: [],
  autoApply: false,
});

/** The saved plan of the run in `outDir`, checked against what was typed before anything starts. */
async function savedPlan(outDir: string, given: Partial<TunePlan>): Promise<TunePlan> {
  const progress = await new RunStore(outDir).readProgress();
  if (!progress) {
    throw new LambenchError('INVALID_ARGUMENT', `Nothing to resume in ${outDir}.`, 'Run without --resume first.');
  }
  return resumePlan(progress.plan, given, outDir);
}

export async function tuneCommand(argv: string[]): Promise<number> {
  const { values, positionals, positionalFromConfig } = parse(argv, OPTIONS, USAGE);
  const outputFormat = values['output-format'] ?? 'lambench';
  if (outputFormat !== 'lambench' && outputFormat !== 'powertuning') {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--output-format must be lambench or powertuning, got "${outputFormat}".`,
    );
  }
  // A PowerTuning execution input as is: its fields are the plan, flags typed here override them.
  const execution = values.input
    ? await loadExecution(values.input, {
        target: values.target === 'aws' ? 'aws' : 'local',
        onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
      })
    : undefined;
  // A function typed next to --input wins over its lambdaARN; the config file's `function` does not.
  const typed = positionalFromConfig ? undefined : positionals[0];
  const ref = typed ?? execution?.functionRef ?? requirePositional(positionals, 0, 'the function to tune', USAGE);
  if (values.resume && !values.out) {
    throw new LambenchError('INVALID_ARGUMENT', '--resume needs --out <dir> of the run to continue.');
  }
  const given = await givenOptions(values);
  const draft = values.resume
    ? await savedPlan(path.resolve(values.out ?? ''), given)
    : validatePlan(orderDefaults({ ...defaults(ref), ...execution?.plan, ...powerTuningRule(execution), ...given }));
  // On AWS --region also picks the client's region (an ARN's own region still wins, as for invoke).
  const opened = await openTarget(values.target, ref, {
    ...(values.isolation ? { isolation: values.isolation } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(await templateTarget(values)),
    ...(values.network ? { network: values.network } : {}),
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let plan = validatePlan({ ...draft, functionName: opened.functionName });
    const limit = opened.target.maxFullCpuMemoryMB();
    if (!values.resume && !given.memorySizes && !execution && plan.memorySizes.some((m) => m > limit)) {
      const dropped = plan.memorySizes.filter((m) => m > limit);
      plan = { ...plan, memorySizes: plan.memorySizes.filter((m) => m <= limit) };
      process.stderr.write(
        `note: this host gives at most ${limit} MB full CPU; default sizes ${dropped.join(', ')} MB left out.\n`,
      );
    }
    const outDir = path.resolve(values.out ?? path.join('lambench-results', `${plan.functionName}-${stamp()}`));
    const target = execution ? execution.wrap(opened.target) : opened.target;
    const { result, records, interrupted } = await tune(target, plan, {
      outDir,
      resume: values.resume,
      signal: controller.signal,
      onProgress: progressPrinter(),
      onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
      onPartialResult: (partial, soFar) => writeReportFolder(outDir, partial, soFar),
    });
    await writeReportFolder(outDir, result, records);
    const powerTuning =
      execution || outputFormat === 'powertuning'
        ? await finishPowerTuning(
            target,
            outDir,
            result,
            records,
            plan,
            execution?.settings ?? defaultSettings(plan),
            execution?.input.autoOptimize === true,
          )
        : undefined;
    if (values.json) process.stdout.write(`${JSON.stringify(outputFormat === 'powertuning' ? powerTuning : result)}\n`);
    else process.stdout.write(`${renderMarkdown(result)}\nReport: ${path.join(outDir, 'report.html')}\n`);
    if (powerTuning !== undefined && !values.json) {
      process.stdout.write(`PowerTuning output: ${path.join(outDir, POWERTUNING_OUTPUT_FILE)}\n`);
    }
    const processorFailure = execution?.failure();
    if (processorFailure) throw processorFailure;
    if (interrupted) {
      process.stderr.write(`interrupted: results so far are in ${outDir} (continue with --resume --out ${outDir})\n`);
      return 130;
    }
    // A run without a single clean size has nothing to recommend: a script or CI job must not read that as success.
    if (!result.best) {
      const failed = result.configs.map(
        (c) => `${c.memoryMB} MB: ${Object.keys(c.errorTypes).join(', ') || 'no data'}`,
      );
      process.stderr.write(
        `error: no memory size ran without errors (${failed.join('; ')}); the reports in ${outDir} show the errors.\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await opened.close();
  }
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
