import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { describeModel } from '../../model/duration-model.js';
import { type Prediction, predict } from '../../predict/predict.js';
import { checkProbeCount, PREDICT_MEMORY_SIZES } from '../../predict/probes.js';
import { predictAndValidate, type Validation } from '../../predict/validate.js';
import { writeReportFolder } from '../../report/folder.js';
import { parseMemoryList, parseStrategy, STRATEGIES, type Strategy } from '../../tuner/plan.js';
import { progressPrinter } from '../../tuner/progress.js';
import { DEFAULT_TOLERANCE } from '../../tuner/strategy.js';
import { fractionOption, integerOption, parse, requirePositional } from '../args.js';
import { readPayloadArgument } from '../payload.js';
import { openTarget } from '../target.js';
import { templateOptions, templateTarget } from '../template.js';

const USAGE =
  'lambench predict <function|folder|arn> [--probes N] [--memory 128,256,…] [-n N] [--payload JSON|@file] [--strategy cost|speed|balanced] [--balanced-weight W] [--tolerance 5%] [--validate [--sweep-n N]] [--json] [--out DIR] [--arch x86_64|arm64] [--region R] [--target local|aws] [--template template.yaml [--parameter-overrides K=V …]]';

const OPTIONS = {
  probes: { type: 'string' },
  memory: { type: 'string' },
  n: { type: 'string', short: 'n' },
  payload: { type: 'string' },
  strategy: { type: 'string' },
  'balanced-weight': { type: 'string' },
  tolerance: { type: 'string' },
  validate: { type: 'boolean', default: false },
  'sweep-n': { type: 'string' },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  arch: { type: 'string' },
  region: { type: 'string' },
  target: { type: 'string' },
  isolation: { type: 'string' },
  ...templateOptions,
} as const;

const bad = (message: string, hint?: string) => new LambenchError('INVALID_ARGUMENT', message, hint);

/** Probes measure 8 invocations each by default: 3 × (1 cold + 8) is under a third of a 10-per-size sweep of 8 sizes. */
const DEFAULT_PROBE_INVOCATIONS = 8;
const DEFAULT_SWEEP_INVOCATIONS = 10;

export async function predictCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  const ref = requirePositional(positionals, 0, 'the function to predict', USAGE);
  const probes = integerOption(values.probes, 'probes') ?? 3;
  checkProbeCount(probes);
  const invocations = integerOption(values.n, 'n') ?? DEFAULT_PROBE_INVOCATIONS;
  const sweepInvocations = integerOption(values['sweep-n'], 'sweep-n') ?? DEFAULT_SWEEP_INVOCATIONS;
  if (invocations < 1) throw bad(`-n must be at least 1, got ${invocations}.`);
  if (sweepInvocations < 1) throw bad(`--sweep-n must be at least 1, got ${sweepInvocations}.`);
  if (values['sweep-n'] !== undefined && !values.validate)
    throw bad('--sweep-n sizes the --validate sweep: add --validate.');
  const memorySizes = values.memory ? parseMemoryList(values.memory) : [...PREDICT_MEMORY_SIZES];
  const strategy = values.strategy ? parseStrategy(values.strategy) : 'cost';
  const balancedWeight = values['balanced-weight'] === undefined ? 0.5 : Number(values['balanced-weight']);
  if (!(balancedWeight >= 0 && balancedWeight <= 1)) {
    throw bad(`--balanced-weight must be between 0 and 1, got "${values['balanced-weight']}".`);
  }
  const tolerance = fractionOption(values.tolerance, 'tolerance') ?? DEFAULT_TOLERANCE;
  if (values.arch !== undefined && values.arch !== 'x86_64' && values.arch !== 'arm64') {
    throw bad(`--arch must be x86_64 or arm64, got "${values.arch}".`);
  }
  const payloads = [{ name: 'payload', payload: await readPayloadArgument(values.payload), weight: 1 }];
  const opened = await openTarget(values.target, ref, {
    ...(values.isolation ? { isolation: values.isolation } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(await templateTarget(values)),
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outDir = path.resolve(values.out ?? path.join('lambench-results', `${opened.functionName}-predict-${stamp()}`));
  const hooks = {
    signal: controller.signal,
    onProgress: progressPrinter(),
    onWarning: (message: string) => process.stderr.write(`warning: ${message}\n`),
  };
  const request = {
    functionName: opened.functionName,
    memorySizes,
    probes,
    invocations,
    payloads,
    strategy,
    balancedWeight,
    tolerance,
    ...(values.arch ? { architecture: values.arch as 'x86_64' | 'arm64' } : {}),
    ...(values.region ? { region: values.region } : {}),
  };
  try {
    let prediction: Prediction;
    let validation: Validation | undefined;
    await mkdir(outDir, { recursive: true });
    if (values.validate) {
      const checked = await predictAndValidate(
        opened.target,
        request,
        { invocations: sweepInvocations },
        { signal: controller.signal, onRound: roundPrinter() },
      );
      ({ prediction, validation } = checked);
      const lines = checked.records.map((r) => `${JSON.stringify(r)}\n`).join('');
      await writeFile(path.join(outDir, 'invocations.jsonl'), lines);
      await writeFile(path.join(outDir, 'sweep.json'), `${JSON.stringify(checked.sweep, null, 2)}\n`);
      await writeFile(path.join(outDir, 'validation.json'), `${JSON.stringify(validation, null, 2)}\n`);
    } else {
      const probeDir = path.join(outDir, 'probes');
      const measured = await predict(opened.target, request, { ...hooks, outDir: probeDir });
      prediction = measured.prediction;
      await writeReportFolder(probeDir, measured.probeResult, measured.probeRecords);
    }
    await writeFile(path.join(outDir, 'prediction.json'), `${JSON.stringify(prediction, null, 2)}\n`);
    if (values.json)
      process.stdout.write(`${JSON.stringify({ ...prediction, ...(validation ? { validation } : {}) })}\n`);
    else process.stdout.write(`${renderText(prediction, validation)}\nResults: ${outDir}\n`);
    return 0;
  } catch (error) {
    if (error instanceof LambenchError && error.code === 'INTERRUPTED') {
      process.stderr.write(`interrupted: what was measured is in ${outDir}\n`);
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await opened.close();
  }
}

const fixed = (x: number | null | undefined, digits = 1) => (typeof x === 'number' ? x.toFixed(digits) : '–');

/** The curve as a Markdown table, the model in one sentence, the best sizes and (with --validate) the errors. */
export function renderText(p: Prediction, v?: Validation): string {
  const checks = new Map(v?.sizes.map((s) => [s.memoryMB, s]));
  const header = v
    ? '| memory MB | predicted ms [95 %] | cost / 1M | measured p50 | error |'
    : '| memory MB | predicted ms [95 %] | cost / 1M |';
  const rows = p.predictions.map((s) => {
    const flag = s.hostCanHonour ? '' : ' (host cannot honour: predicted only)';
    const base = `| ${s.memoryMB}${flag} | ${fixed(s.durationMs)} [${fixed(s.low)}–${fixed(s.high)}] | $${fixed(s.costPer1M, 2)} |`;
    const check = checks.get(s.memoryMB);
    return v
      ? `${base} ${check ? fixed(check.measuredP50) : '–'} | ${check ? `${fixed(check.errorPct)} %` : '–'} |`
      : base;
  });
  const lines = [
    `## lambench predict: ${p.function} (${p.target})`,
    '',
    `Probes: ${p.probes.map((q) => `${q.memoryMB} MB p50 ${fixed(q.p50)} ms (n ${q.n})`).join(', ')}; ${p.invocations} invocations.`,
    `Model: ${describeModel(p.model)}${p.model.initMs !== null ? `; Init Duration ${fixed(p.model.initMs)} ms` : ''}; fit error ${fixed(p.model.rmsRelativeError * 100)} % RMS.`,
    '',
    header,
    `| --- | --- | --- |${v ? ' --- | --- |' : ''}`,
    ...rows,
    '',
    `Best: ${STRATEGIES.map((s) => `${s} ${p.best[s] ?? '–'} MB${shareText(p, s)}`).join(', ')}${p.tolerance > 0 ? ` (sizes within ${fixed(p.tolerance * 100, 0)} % of the best counted as tied: the faster wins for cost, the cheaper for speed and balanced)` : ''}.`,
    `**Recommendation:** ${p.recommendation}`,
  ];
  if (v) {
    const picks = STRATEGIES.map((s) => {
      const b = v.best[s];
      return `${s}: predicted ${b.predicted ?? '–'} MB, sweep ${b.measured ?? '–'} MB${b.match ? ' (same)' : ` (regret ${fixed(b.regretPct)} %)`}`;
    });
    lines.push(
      '',
      `Validation against the full sweep: MAPE ${fixed(v.mapePct)} % (max ${fixed(v.maxAbsErrorPct)} %) over ${v.sizes.length} sizes; ${v.withinInterval}/${v.sizes.length} measured medians inside the interval${v.repeatErrorPct !== null ? `; the same size measured twice differed by ${fixed(v.repeatErrorPct)} % (probe vs sweep: the noise floor)` : ''}.`,
      `Best size: ${picks.join('; ')}.`,
      `Invocations: probes ${v.invocations.probes}, sweep ${v.invocations.sweep} (${fixed(v.invocations.ratio * 100)} %).${v.notMeasured.length ? ` Not measurable on this host: ${v.notMeasured.join(', ')} MB.` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** " (picked by 82 % of the bootstrap's curves)": how sure the prediction is of a strategy's best size. */
function shareText(p: Prediction, strategy: Strategy): string {
  const share = p.confidence[strategy].find((c) => c.memoryMB === p.best[strategy])?.share;
  return share === undefined ? '' : ` (picked by ${Math.round(share * 100)} % of the bootstrap's curves)`;
}

/** One line per round of the interleaved run (a TTY rewrites it in place). */
function roundPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const interactive = stream.isTTY === true && !process.env.CI;
  return (done: number, total: number) => {
    const line = `probes + sweep, interleaved: ${done}/${total} invocations`;
    if (interactive) stream.write(`\r\x1b[2K${line}${done === total ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
