import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { EXPERIMENTS } from '../../experiments/index.js';
import { runExperiments } from '../../experiments/run.js';
import { ProgressReporter } from '../../tuner/progress.js';
import { parse, requirePositional } from '../args.js';
import { networkOption } from '../endpoints.js';

const USAGE = `lambench run <${[...EXPERIMENTS.map((e) => e.name), 'all'].join('|')}> [--quick] [--only FN[,FN…]] [--out DIR] [--network lambda-2026|none] [--target local|aws --bucket NAME [--role ARN]]`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      target: { type: 'string' },
      bucket: { type: 'string' },
      role: { type: 'string' },
      ...networkOption,
    },
    USAGE,
  );
  const name = requirePositional(positionals, 0, 'the experiment to run', USAGE);
  const outDir = path.resolve(
    values.out ??
      path.join('lambench-results', `${name}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`),
  );
  const target = values.target ?? 'local';
  if (target !== 'local' && target !== 'aws') {
    throw new LambenchError('INVALID_ARGUMENT', `Unknown target "${target}".`, 'Use --target local or --target aws.');
  }
  const progress = new ProgressReporter();
  const done = await runExperiments(name, {
    quick: values.quick,
    ...(values.only
      ? {
          only: values.only
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    outDir,
    target,
    ...(values.bucket ? { bucket: values.bucket } : {}),
    ...(values.role ? { role: values.role } : {}),
    ...(values.network ? { network: values.network } : {}),
    log: (m) => progress.log(m),
    progress,
  }).finally(() => progress.clear());
  process.stdout.write(`Report: ${path.join(outDir, 'index.html')}\n`);
  return done.some((d) => d.error) ? 1 : 0;
}
