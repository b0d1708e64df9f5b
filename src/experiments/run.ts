import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../errors.js';
import { writeReportFolder } from '../report/folder.js';
import { escapeHtml } from '../report/format.js';
import { renderHtml } from '../report/html.js';
import type { TargetKind } from '../targets/types.js';
import { validatePlan } from '../tuner/plan.js';
import type { ProgressReporter } from '../tuner/progress.js';
import { DEFAULT_TOLERANCE } from '../tuner/strategy.js';
import { tune } from '../tuner/tune.js';
import type { TuneResult } from '../tuner/types.js';
import { openBackend } from './backends.js';
import { EXPERIMENTS } from './index.js';
import {
  claimsHtml,
  claimsMarkdown,
  type DashboardOptions,
  experimentIndexHtml,
  indexHtml,
  type RunEntry,
} from './report.js';
import type { Experiment, ExperimentContext, ExperimentOutcome } from './types.js';

export interface RunOptions {
  quick: boolean;
  /** `--only`: run only these functions (or tuner labels) of the experiments that run several. */
  only?: string[];
  /** Default local. */
  target?: TargetKind;
  /** AWS: an existing bucket for the experiments' data. */
  bucket?: string;
  /** AWS: the execution role for functions deployed for the first time. */
  role?: string;
  /** Local: the network model (default lambda-2026; `none` for loopback). */
  network?: string;
  outDir: string;
  log: (message: string) => void;
  /** Progress of each tune (a terminal status line: ProgressReporter). */
  progress?: Pick<ProgressReporter, 'forTune'>;
  /** The dashboards' optional figures (the month's bill at a planned traffic). */
  dashboard?: DashboardOptions;
  /** Runs these instead of the named built-in ones (a library caller's own experiments). */
  experiments?: Experiment[];
}

export function selectExperiments(name: string) {
  if (name === 'all') return [...EXPERIMENTS];
  const experiment = EXPERIMENTS.find((e) => e.name === name);
  if (experiment) return [experiment];
  const known = [...EXPERIMENTS.map((e) => e.name), 'all'];
  throw new LambenchError('INVALID_ARGUMENT', `Unknown experiment "${name}".`, `Available: ${known.join(', ')}.`);
}

const slug = (label: string) => label.replace(/[^\w.-]+/g, '-');

/** Runs experiments on one backend (the local engine with its services, or AWS); each writes its folder, then the index. */
export async function runExperiments(
  name: string,
  options: RunOptions,
): Promise<Array<{ name: string; outcome?: ExperimentOutcome; error?: string }>> {
  const experiments = options.experiments ?? selectExperiments(name);
  const backend = await openBackend({ ...options, target: options.target ?? 'local' });
  const { host, target } = backend;
  const done: RunEntry[] = [];
  const dashboard = options.dashboard ?? {};
  try {
    for (const [index, experiment] of experiments.entries()) {
      const folders = new Map<string, string>();
      const dir = path.join(options.outDir, experiment.name);
      await mkdir(dir, { recursive: true });
      const ctx: ExperimentContext = {
        target: backend.kind,
        bucket: backend.bucket,
        s3Endpoint: backend.s3Endpoint,
        quick: options.quick,
        ...(options.only?.length ? { only: options.only } : {}),
        hostCpus: backend.hostCpus,
        maxFullCpuMB: target.maxFullCpuMemoryMB(),
        log: options.log,
        has: backend.has,
        prepare: backend.prepare,
        invoke: (functionName, payload, invokeOptions = {}) => backend.invoke(functionName, payload, invokeOptions),
        retireEnvironments: backend.retireEnvironments,
        async tune(label, functionName, request): Promise<TuneResult> {
          options.log(`${experiment.name}: ${label} at ${request.memorySizes.join(', ')} MB`);
          await backend.prepare(functionName);
          const plan = validatePlan({
            functionName,
            memorySizes: request.memorySizes,
            invocations: request.invocations,
            parallel: false,
            payloads: [{ name: label, payload: JSON.stringify(request.payload), weight: 1 }],
            strategy: 'balanced',
            balancedWeight: 0.5,
            tolerance: DEFAULT_TOLERANCE,
            coldOnly: request.coldOnly ?? false,
            warmup: request.warmup ?? 1,
            sleepBetweenMs: 0,
            architecture: 'x86_64',
            region: 'us-east-1',
            allowedErrorTypes: [],
            autoApply: false,
          });
          const onProgress = options.progress?.forTune({
            experiment: `${experiment.name} (${index + 1}/${experiments.length})`,
            label,
          });
          const { result, records } = await tune(target, plan, onProgress ? { onProgress } : {});
          const labelled = { ...result, function: label };
          folders.set(label, slug(label));
          const planned = dashboard.planned?.(labelled);
          await writeReportFolder(path.join(dir, slug(label)), labelled, records, {
            back: { href: '../index.html', label: experiment.title },
            ...(planned ? { planned } : {}),
          });
          return labelled;
        },
      };
      try {
        options.log(`== ${experiment.name}: ${experiment.title}`);
        const outcome = await experiment.run(ctx);
        await writeFile(
          path.join(dir, 'report.html'),
          renderHtml(outcome.results, {
            title: experiment.title,
            intro: claimsHtml(outcome, experiment.source, host),
            back: { href: '../index.html', label: 'all experiments' },
            extraSeries: (r) => outcome.chartSeries?.[r.function] ?? [],
            ...(outcome.charts ? { extraCharts: outcome.charts } : {}),
          }),
        );
        const entry = { name: experiment.name, title: experiment.title, outcome };
        await writeFile(
          path.join(dir, 'index.html'),
          experimentIndexHtml(entry, (r) => folders.get(r.function) ?? slug(r.function), dashboard),
        );
        await writeFile(path.join(dir, 'summary.md'), claimsMarkdown(experiment.title, outcome));
        await writeFile(path.join(dir, 'claims.json'), `${JSON.stringify(outcome, null, 2)}\n`);
        if (outcome.fidelity?.length)
          await writeFile(path.join(dir, 'fidelity.json'), `${JSON.stringify(outcome.fidelity, null, 2)}\n`);
        done.push(entry);
      } catch (error) {
        const message = (error as Error).message;
        options.log(`${experiment.name} failed: ${message}`);
        await writeFile(
          path.join(dir, 'report.html'),
          `<!doctype html><meta charset="utf-8"><p>${escapeHtml(`${experiment.name} failed: ${message}`)}</p>`,
        );
        done.push({ name: experiment.name, title: experiment.title, error: message });
      }
      await writeFile(path.join(options.outDir, 'index.html'), indexHtml(done, host, dashboard));
      await writeFile(
        path.join(options.outDir, 'summary.md'),
        `# lambench experiments\n\n${host}\n\n${done.map((d) => (d.outcome ? claimsMarkdown(d.title, d.outcome) : `### ${d.title}\n\nfailed: ${d.error}\n`)).join('\n')}`,
      );
    }
    return done;
  } finally {
    await backend.close();
  }
}
