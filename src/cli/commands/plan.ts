import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { renderPlanHtml } from '../../planner/html.js';
import { type PlanOptions, planTraffic } from '../../planner/plan.js';
import { plannedMonthly, renderPlanTable } from '../../planner/table.js';
import { parseTraffic } from '../../planner/traffic.js';
import { refreshFolderIndex } from '../../report/folder.js';
import { INVOCATIONS_FILE } from '../../tuner/persist.js';
import type { InvocationRecord, TuneResult } from '../../tuner/types.js';
import { integerOption, parse } from '../args.js';

const USAGE =
  'lambench plan <run dir|result.json> [<run dir of the other architecture>] --traffic <100/s|50M/month|burst:10/s,500/s,60s,1h|@file.csv> [--shape flat|diurnal[:a]] [--region R] [--idle 5-15] [--reserved-concurrency N] [--account-concurrency N] [--free-tier] [--instance-type T] [--seed N] [--budget N] [--json] [--out DIR]';

const OPTIONS = {
  traffic: { type: 'string' },
  shape: { type: 'string' },
  region: { type: 'string' },
  idle: { type: 'string' },
  'reserved-concurrency': { type: 'string' },
  'account-concurrency': { type: 'string' },
  'free-tier': { type: 'boolean', default: false },
  'instance-type': { type: 'string' },
  seed: { type: 'string' },
  budget: { type: 'string' },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
} as const;

/** A tune result and, beside it, its invocations.jsonl when there is one (the measured distributions). */
async function readRun(ref: string): Promise<{ result: TuneResult; records?: InvocationRecord[] }> {
  const file = ref.endsWith('.json') ? ref : path.join(ref, 'result.json');
  let result: Partial<TuneResult>;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as Partial<TuneResult>;
  } catch (error) {
    throw new LambenchError('INVALID_ARGUMENT', `Cannot read a tune result from ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(result.configs) || typeof result.function !== 'string' || !result.environment) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${file} is not a lambench tune result (no "function", "configs" and "environment").`,
    );
  }
  try {
    const text = await readFile(path.join(path.dirname(file), INVOCATIONS_FILE), 'utf8');
    const records = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as InvocationRecord);
    return { result: result as TuneResult, records };
  } catch {
    return { result: result as TuneResult };
  }
}

function idleRange(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*$/.exec(text);
  if (!m) throw new LambenchError('INVALID_ARGUMENT', `--idle "${text}" is not a range of minutes (e.g. 5-15, or 10).`);
  const low = Number(m[1]);
  return [low, m[2] === undefined ? low : Number(m[2])];
}

export async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (positionals.length < 1 || positionals.length > 2) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      'plan takes one tune result (or two: one per architecture).',
      `Usage: ${USAGE}`,
    );
  }
  if (!values.traffic) throw new LambenchError('INVALID_ARGUMENT', 'plan needs --traffic.', `Usage: ${USAGE}`);
  const traffic = parseTraffic(values.traffic, values.shape ? { shape: values.shape } : {});
  const runs = await Promise.all(positionals.map(readRun));
  const idle = idleRange(values.idle);
  const reserved = integerOption(values['reserved-concurrency'], 'reserved-concurrency');
  const account = integerOption(values['account-concurrency'], 'account-concurrency');
  const seed = integerOption(values.seed, 'seed');
  const budget = integerOption(values.budget, 'budget');
  if (budget !== undefined && budget < 1000)
    throw new LambenchError('INVALID_ARGUMENT', `--budget must be at least 1000 arrivals, got ${budget}.`);
  for (const [name, n] of [
    ['reserved-concurrency', reserved],
    ['account-concurrency', account],
  ] as const) {
    if (n !== undefined && n < 1)
      throw new LambenchError('INVALID_ARGUMENT', `--${name} must be at least 1, got ${n}.`);
  }
  const instance = values['instance-type'];
  const options: PlanOptions = {
    records: runs.map((r) => r.records),
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
    ...(values.region ? { region: values.region } : {}),
    ...(idle ? { idleMinutes: idle } : {}),
    ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
    ...(account !== undefined ? { accountConcurrency: account } : {}),
    ...(seed !== undefined ? { seed } : {}),
    // The sweep's simulations get a tenth of the budget each: they only have to rank the options.
    ...(budget !== undefined ? { budget, sweepBudget: Math.round(budget / 10) } : {}),
    ...(values['free-tier'] ? { freeTier: true } : {}),
    ...(instance ? { instanceType: { x86_64: instance, arm64: instance } } : {}),
  };
  const plan = planTraffic(
    runs.map((r) => r.result),
    traffic,
    options,
  );
  // Beside the (first) result by default: the plan belongs to the run it was made from.
  const first = positionals[0] ?? '.';
  const out = path.resolve(values.out ?? (first.endsWith('.json') ? path.dirname(first) : first));
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  await writeFile(path.join(out, 'plan.html'), renderPlanHtml(plan));
  // A plan in the run folder it was made from puts its headline on that folder's dashboard card.
  const planned = plannedMonthly(plan);
  const carded =
    planned !== undefined &&
    (await refreshFolderIndex(out, plan.function, { planned, links: [{ label: 'plan.html', href: 'plan.html' }] }));
  if (values.json) process.stdout.write(`${JSON.stringify(plan)}\n`);
  else
    process.stdout.write(
      `${renderPlanTable(plan)}\nPlan: ${path.join(out, 'plan.json')}, report: ${path.join(out, 'plan.html')}${carded ? `, dashboard card: ${path.join(out, 'index.html')}` : ''}\n`,
    );
  return 0;
}
