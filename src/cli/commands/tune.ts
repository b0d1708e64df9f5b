import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { writeReportFolder } from '../../report/folder.js';
import { renderMarkdown } from '../../report/markdown.js';
import {
  DEFAULT_MEMORY_SIZES,
  type PayloadSpec,
  parseMemoryList,
  parseStrategy,
  readPayloadsFile,
  type TunePlan,
  validatePlan,
} from '../../tuner/plan.js';
import { progressPrinter } from '../../tuner/progress.js';
import { tune } from '../../tuner/tune.js';
import { integerOption, parse, requirePositional } from '../args.js';
import { readPayloadArgument } from '../payload.js';
import { openTarget } from '../target.js';

const USAGE =
  'lambench tune <function|folder|arn> [--memory 128,256,…] [-n N] [--parallel] [--payload JSON|@file] [--payloads-file F] [--strategy cost|speed|balanced] [--balanced-weight W] [--cold-only] [--warmup N] [--sleep MS] [--arch x86_64|arm64] [--region R] [--allowed-errors T,…] [--auto-apply] [--out DIR] [--resume] [--json] [--target local|aws]';

const OPTIONS = {
  memory: { type: 'string' },
  n: { type: 'string', short: 'n' },
  parallel: { type: 'boolean', default: false },
  payload: { type: 'string' },
  'payloads-file': { type: 'string' },
  strategy: { type: 'string', default: 'cost' },
  'balanced-weight': { type: 'string', default: '0.5' },
  'cold-only': { type: 'boolean', default: false },
  warmup: { type: 'string', default: '1' },
  sleep: { type: 'string', default: '0' },
  arch: { type: 'string' },
  region: { type: 'string' },
  'allowed-errors': { type: 'string' },
  'auto-apply': { type: 'boolean', default: false },
  out: { type: 'string' },
  resume: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  target: { type: 'string' },
  isolation: { type: 'string' },
} as const;

export async function tuneCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  const ref = requirePositional(positionals, 0, 'the function to tune', USAGE);
  if (values.resume && !values.out) {
    throw new LambenchError('INVALID_ARGUMENT', '--resume needs --out <dir> of the run to continue.');
  }
  const weight = Number(values['balanced-weight']);
  const arch = values.arch ?? 'x86_64';
  if (arch !== 'x86_64' && arch !== 'arm64')
    throw new LambenchError('INVALID_ARGUMENT', `--arch must be x86_64 or arm64.`);
  const payloads: PayloadSpec[] = values['payloads-file']
    ? await readPayloadsFile(values['payloads-file'])
    : [{ name: 'payload', payload: await readPayloadArgument(values.payload), weight: 1 }];
  const explicitSizes = values.memory ? parseMemoryList(values.memory) : undefined;
  const draft: TunePlan = {
    functionName: ref,
    memorySizes: explicitSizes ?? [...DEFAULT_MEMORY_SIZES],
    invocations: integerOption(values.n, 'n') ?? 10,
    parallel: values.parallel,
    payloads,
    strategy: parseStrategy(values.strategy ?? 'cost'),
    balancedWeight: weight,
    coldOnly: values['cold-only'],
    warmup: integerOption(values.warmup, 'warmup') ?? 1,
    sleepBetweenMs: integerOption(values.sleep, 'sleep') ?? 0,
    architecture: arch,
    region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
    allowedErrorTypes: values['allowed-errors']?.split(',').filter(Boolean) ?? [],
    autoApply: values['auto-apply'],
  };
  validatePlan(draft);
  const opened = await openTarget(values.target, ref, { ...(values.isolation ? { isolation: values.isolation } : {}) });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let plan = validatePlan({ ...draft, functionName: opened.functionName });
    const limit = opened.target.maxFullCpuMemoryMB();
    if (!explicitSizes && plan.memorySizes.some((m) => m > limit)) {
      const dropped = plan.memorySizes.filter((m) => m > limit);
      plan = { ...plan, memorySizes: plan.memorySizes.filter((m) => m <= limit) };
      process.stderr.write(
        `note: this host gives at most ${limit} MB full CPU; default sizes ${dropped.join(', ')} MB left out.\n`,
      );
    }
    const outDir = path.resolve(values.out ?? path.join('lambench-results', `${plan.functionName}-${stamp()}`));
    const { result, records, interrupted } = await tune(opened.target, plan, {
      outDir,
      resume: values.resume,
      signal: controller.signal,
      onProgress: progressPrinter(),
      onPartialResult: (partial, soFar) => writeReportFolder(outDir, partial, soFar),
    });
    await writeReportFolder(outDir, result, records);
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${renderMarkdown(result)}\nReport: ${path.join(outDir, 'report.html')}\n`);
    if (interrupted) {
      process.stderr.write(`interrupted: results so far are in ${outDir} (continue with --resume --out ${outDir})\n`);
      return 130;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await opened.close();
  }
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
