import { LambenchError } from '../errors.js';
import { seededRandom, shuffled } from '../stats/random.js';
import type { ConfiguredFunction, Target } from '../targets/types.js';
import type { PayloadSpec } from '../tuner/plan.js';
import { toRecord } from '../tuner/run.js';
import type { InvocationRecord } from '../tuner/types.js';

/** One series of invocations at one size (a probe, or a size of the sweep: two arms may share a size). */
export interface Arm {
  key: string;
  memoryMB: number;
  invocations: number;
}

export interface ArmOutcome {
  records: InvocationRecord[];
  failure?: { errorType: string; message: string };
}

/**
 * Runs several arms in randomised rounds: one cold invocation per arm first (kept as its warm-up), then each round
 * invokes every arm that still has invocations once, in a shuffled order. A host whose load changes over the run
 * (other work on a shared machine, AWS's own drift) then slows every size alike instead of masquerading as a memory
 * effect, which a size-after-size run cannot avoid: that is what makes probes and sweep comparable.
 */
export async function runInterleaved(
  target: Target,
  functionName: string,
  arms: readonly Arm[],
  payload: PayloadSpec,
  options: { signal?: AbortSignal; onRound?: (done: number, total: number) => void; seed?: number } = {},
): Promise<Map<string, ArmOutcome>> {
  const outcomes = new Map<string, ArmOutcome>(arms.map((a) => [a.key, { records: [] }]));
  const configured = new Map<number, ConfiguredFunction>();
  for (const memoryMB of new Set(arms.map((a) => a.memoryMB))) {
    try {
      configured.set(memoryMB, await target.configure(functionName, memoryMB));
    } catch (error) {
      const e = error as { awsType?: string; name?: string; message?: string };
      const failure = { errorType: e.awsType ?? e.name ?? 'Error', message: e.message ?? String(error) };
      for (const arm of arms.filter((a) => a.memoryMB === memoryMB)) outcomes.set(arm.key, { records: [], failure });
    }
  }
  const invokeOne = async (arm: Arm, cold: boolean) => {
    const fn = configured.get(arm.memoryMB);
    if (!fn) return;
    if (options.signal?.aborted) throw new LambenchError('INTERRUPTED', 'Interrupted: nothing was fitted.');
    const startedAt = new Date().toISOString();
    const result = await target.invoke(fn, payload.payload, { cold });
    const record = toRecord(arm.memoryMB, payload, result, startedAt, new Set());
    outcomes.get(arm.key)?.records.push(cold ? { ...record, warmup: true } : record);
  };
  const next = seededRandom(options.seed ?? 1);
  const total = arms.reduce((sum, a) => sum + 1 + a.invocations, 0);
  let done = 0;
  for (const arm of shuffled(arms, next)) {
    await invokeOne(arm, true);
    options.onRound?.(++done, total);
  }
  const left = new Map(arms.map((a) => [a.key, a.invocations]));
  while ([...left.values()].some((n) => n > 0)) {
    for (const arm of shuffled(
      arms.filter((a) => (left.get(a.key) ?? 0) > 0),
      next,
    )) {
      await invokeOne(arm, false);
      left.set(arm.key, (left.get(arm.key) ?? 0) - 1);
      done++;
    }
    options.onRound?.(done, total);
  }
  return outcomes;
}
