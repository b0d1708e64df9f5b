import { LambenchError } from '../errors.js';
import type { TunePlan } from './plan.js';

/**
 * The parts of a plan that decide what is measured and how it is judged. A resumed run mixes records from two
 * sessions, so these must be the saved run's; the rest (auto-apply, monthly cost) only shapes the output.
 */
const FIXED = {
  functionName: 'the function',
  memorySizes: '--memory',
  invocations: '-n',
  parallel: '--parallel',
  payloads: '--payload / --payloads-file',
  strategy: '--strategy',
  balancedWeight: '--balanced-weight',
  tolerance: '--tolerance',
  coldOnly: '--cold-only',
  warmup: '--warmup',
  sleepBetweenMs: '--sleep',
  architecture: '--arch',
  region: '--region',
  allowedErrorTypes: '--allowed-errors',
  order: '--order',
  seed: '--seed',
  precision: '--precision',
  minInvocations: '--min-n',
} as const satisfies Partial<Record<keyof TunePlan, string>>;

function normalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Order and repeats of sizes and error types, and JSON spacing, do not change a plan. */
function canonical(key: keyof typeof FIXED, value: unknown): string {
  if (key === 'memorySizes' && Array.isArray(value))
    return [...new Set(value as number[])].sort((a, b) => a - b).join(',');
  if (key === 'allowedErrorTypes' && Array.isArray(value)) return [...new Set(value as string[])].sort().join(',');
  if (key === 'payloads' && Array.isArray(value)) {
    return JSON.stringify((value as TunePlan['payloads']).map((p) => [normalJson(p.payload), p.weight]));
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Options given now that contradict the saved plan, as "--memory 128,256 (saved: 512,1024)". */
export function planConflicts(saved: TunePlan, given: Partial<TunePlan>): string[] {
  const conflicts: string[] = [];
  for (const [key, flag] of Object.entries(FIXED) as Array<[keyof typeof FIXED, string]>) {
    if (given[key] === undefined || saved[key] === undefined) continue;
    const now = canonical(key, given[key]);
    const then = canonical(key, saved[key]);
    if (now === then) continue;
    // In an adaptive plan `invocations` is the most per size: the user typed it as --max-n.
    const name = key === 'invocations' && saved.precision !== undefined ? '--max-n' : flag;
    conflicts.push(key === 'payloads' ? `${flag} (not the saved run's payloads)` : `${name} ${now} (saved: ${then})`);
  }
  return conflicts;
}

/**
 * The plan of a resumed run: the saved one, with only output options (auto-apply, monthly cost) taken from `given`.
 * Anything in `given` that contradicts the saved plan is an error, not silently ignored.
 */
export function resumePlan(saved: TunePlan, given: Partial<TunePlan>, dir: string): TunePlan {
  const conflicts = planConflicts(saved, given);
  if (conflicts.length > 0) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--resume continues the run saved in ${dir}, but these options differ from its plan: ${conflicts.join('; ')}.`,
      'Leave them out to continue with the saved plan, or start a new run in another --out folder.',
    );
  }
  return {
    ...saved,
    ...(given.autoApply !== undefined ? { autoApply: given.autoApply } : {}),
    ...(given.invocationsPerMonth !== undefined ? { invocationsPerMonth: given.invocationsPerMonth } : {}),
    ...(given.freeTier !== undefined ? { freeTier: given.freeTier } : {}),
  };
}
