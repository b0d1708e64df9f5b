import { setTimeout as sleep } from 'node:timers/promises';
import { mixSeed, seededRandom, shuffled } from '../stats/random.js';
import type { ConfiguredFunction, Target } from '../targets/types.js';
import { payloadSchedule, type TunePlan } from './plan.js';
import { interrupted, type SizeProgress, toRecord } from './run.js';
import { measuredCount, samplingStatus } from './sampling.js';
import { countsAsResult, type InvocationRecord } from './types.js';

export interface RoundOutcome {
  /** The invocations of this round (warm-ups of sizes visited for the first time included). */
  records: InvocationRecord[];
  /** Sizes whose stopping rule was met in this round, or that could not run (with the failure). */
  finished: Array<{ memoryMB: number; failure?: { errorType: string; message: string } }>;
  /** Sizes whose CPU the host capped, so far. */
  cpuCapped: ReadonlySet<number>;
}

export interface InterleaveHooks {
  signal?: AbortSignal;
  onProgress?: (progress: SizeProgress) => void;
  /** After every round (and before an interrupt ends the run): persist, rewrite the reports. */
  onRound?: (round: RoundOutcome) => Promise<void>;
  /** Sizes a resumed run already finished: not visited. */
  skipSizes?: ReadonlySet<number>;
  /** Records a resumed run already holds, by size: they count towards each size's n. */
  earlier?: readonly InvocationRecord[];
}

interface SizeState {
  memoryMB: number;
  index: number;
  records: InvocationRecord[];
  fn?: ConfiguredFunction;
  warmedUp: boolean;
}

/**
 * Round robin over the sizes still running: each round visits every unfinished size once, in an order shuffled by a
 * PRNG seeded with (plan.seed, round), so the order is random but reproducible from the recorded seed, and a
 * resumed run continues the same sequence of rounds. A size's first visit in this process does its warm-ups (a
 * resumed size has a new environment too). A size stops by `samplingStatus` (fixed n, or adaptive precision).
 */
export async function runInterleaved(target: Target, plan: TunePlan, hooks: InterleaveHooks = {}): Promise<void> {
  const allowed = new Set(plan.allowedErrorTypes);
  const schedule = payloadSchedule(plan.payloads, plan.invocations);
  const seed = plan.seed ?? 0;
  const states: SizeState[] = plan.memorySizes
    .filter((m) => !hooks.skipSizes?.has(m))
    .map((memoryMB, index) => ({
      memoryMB,
      index,
      records: (hooks.earlier ?? []).filter((r) => r.memoryMB === memoryMB),
      warmedUp: false,
    }));
  const cpuCapped = new Set<number>();
  let active = states.filter((s) => !samplingStatus(s.records, plan).done);
  // Rounds already run (resume): the most-measured size's count, so round numbers, and seeds, carry on.
  let round = Math.max(0, ...states.map((s) => measuredCount(s.records)));
  const target_ = (s: SizeState, done: boolean) => (done ? measuredCount(s.records) : plan.invocations);
  const progress = (s: SizeState, done: boolean) =>
    hooks.onProgress?.({
      memoryMB: s.memoryMB,
      sizeIndex: s.index,
      sizes: states.length,
      done: measuredCount(s.records),
      total: target_(s, done),
      errors: s.records.filter((r) => !r.warmup && !countsAsResult(r)).length,
    });
  const invokeOne = async (s: SizeState, fn: ConfiguredFunction, position: number, warmup: boolean) => {
    const payload = schedule[position % schedule.length]!;
    const startedAt = new Date().toISOString();
    const result = await target.invoke(fn, payload.payload, { cold: plan.coldOnly && !warmup });
    if (result.cpuCapped) cpuCapped.add(s.memoryMB);
    return { ...toRecord(s.memoryMB, payload, result, startedAt, allowed), ...(warmup ? { warmup: true } : {}) };
  };

  while (active.length > 0) {
    if (hooks.signal?.aborted) throw interrupted();
    const order = shuffled(active, seededRandom(mixSeed(seed, round)));
    const outcome: RoundOutcome = { records: [], finished: [], cpuCapped };
    for (const s of order) {
      if (hooks.signal?.aborted) break;
      try {
        s.fn ??= await target.configure(plan.functionName, s.memoryMB);
        if (!s.warmedUp) {
          s.warmedUp = true;
          for (let i = 0; !plan.coldOnly && i < plan.warmup; i++) {
            const record = await invokeOne(s, s.fn, i, true);
            s.records.push(record);
            outcome.records.push(record);
          }
        }
        const record = await invokeOne(s, s.fn, measuredCount(s.records), false);
        s.records.push(record);
        outcome.records.push(record);
      } catch (error) {
        const e = error as { awsType?: string; name?: string; message?: string };
        outcome.finished.push({
          memoryMB: s.memoryMB,
          failure: { errorType: e.awsType ?? e.name ?? 'Error', message: e.message ?? String(error) },
        });
      }
      const done = outcome.finished.some((f) => f.memoryMB === s.memoryMB) || samplingStatus(s.records, plan).done;
      if (done && !outcome.finished.some((f) => f.memoryMB === s.memoryMB))
        outcome.finished.push({ memoryMB: s.memoryMB });
      progress(s, done);
      if (plan.sleepBetweenMs > 0) await sleep(plan.sleepBetweenMs);
    }
    const finished = new Set(outcome.finished.map((f) => f.memoryMB));
    active = active.filter((s) => !finished.has(s.memoryMB));
    round++;
    await hooks.onRound?.(outcome);
  }
  if (hooks.signal?.aborted) throw interrupted();
}
