import { setTimeout as sleep } from 'node:timers/promises';
import { mixSeed, seededRandom, shuffled } from '../stats/random.js';
import type { ConfiguredFunction, Target } from '../targets/types.js';
import { type PayloadSpec, payloadSchedule, type TunePlan } from './plan.js';
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

/** One thing a round visits: a function at a memory size under a plan (a paired check has two per size). */
interface Arm {
  memoryMB: number;
  index: number;
  functionName: string;
  plan: TunePlan;
  schedule: PayloadSpec[];
  allowed: ReadonlySet<string>;
  records: InvocationRecord[];
  fn?: ConfiguredFunction;
  warmedUp: boolean;
}

function arm(plan: TunePlan, memoryMB: number, index: number, earlier: readonly InvocationRecord[]): Arm {
  return {
    memoryMB,
    index,
    functionName: plan.functionName,
    plan,
    schedule: payloadSchedule(plan.payloads, plan.invocations),
    allowed: new Set(plan.allowedErrorTypes),
    records: earlier.filter((r) => r.memoryMB === memoryMB),
    warmedUp: false,
  };
}

/**
 * Round robin over the sizes still running: each round visits every unfinished size once, in an order shuffled by a
 * PRNG seeded with (plan.seed, round), so the order is random but reproducible from the recorded seed, and a
 * resumed run continues the same sequence of rounds. A size's first visit in this process does its warm-ups (a
 * resumed size has a new environment too). A size stops by `samplingStatus` (fixed n, or adaptive precision).
 */
export async function runInterleaved(target: Target, plan: TunePlan, hooks: InterleaveHooks = {}): Promise<void> {
  const arms = plan.memorySizes
    .filter((m) => !hooks.skipSizes?.has(m))
    .map((memoryMB, index) => arm(plan, memoryMB, index, hooks.earlier ?? []));
  await roundRobin(target, arms, plan.seed ?? 0, hooks);
}

export interface PairedRecords {
  baseline: InvocationRecord[];
  candidate: InvocationRecord[];
}

/**
 * A/B in one run: the baseline's plan and the candidate's, at the baseline's sizes, visited in the same seeded
 * rounds, so whatever the host (or AWS) does during the run falls on both alike and drift between two runs made at
 * different times cannot pass for a regression. Not persisted: it is short, and `check` writes what it measured.
 */
export async function runPaired(
  target: Target,
  baseline: TunePlan,
  candidate: TunePlan,
  hooks: Pick<InterleaveHooks, 'signal' | 'onProgress'> & { seed: number },
): Promise<PairedRecords> {
  const sizes = baseline.memorySizes;
  const a = sizes.map((m, i) => arm(baseline, m, 2 * i, []));
  const b = sizes.map((m, i) => arm({ ...candidate, memorySizes: sizes }, m, 2 * i + 1, []));
  await roundRobin(target, [...a, ...b], hooks.seed, hooks);
  return { baseline: a.flatMap((x) => x.records), candidate: b.flatMap((x) => x.records) };
}

async function roundRobin(
  target: Target,
  arms: Arm[],
  seed: number,
  hooks: Omit<InterleaveHooks, 'skipSizes' | 'earlier'>,
): Promise<void> {
  const cpuCapped = new Set<number>();
  let active = arms.filter((s) => !samplingStatus(s.records, s.plan).done);
  // Rounds already run (resume): the most-measured size's count, so round numbers, and seeds, carry on.
  let round = Math.max(0, ...arms.map((s) => measuredCount(s.records)));
  const progress = (s: Arm, done: boolean) =>
    hooks.onProgress?.({
      memoryMB: s.memoryMB,
      sizeIndex: s.index,
      sizes: arms.length,
      done: measuredCount(s.records),
      total: done ? measuredCount(s.records) : s.plan.invocations,
      errors: s.records.filter((r) => !r.warmup && !countsAsResult(r)).length,
    });
  const invokeOne = async (s: Arm, fn: ConfiguredFunction, position: number, warmup: boolean) => {
    const payload = s.schedule[position % s.schedule.length]!;
    const startedAt = new Date().toISOString();
    const result = await target.invoke(fn, payload.payload, { cold: s.plan.coldOnly && !warmup });
    if (result.cpuCapped) cpuCapped.add(s.memoryMB);
    return { ...toRecord(s.memoryMB, payload, result, startedAt, s.allowed), ...(warmup ? { warmup: true } : {}) };
  };

  while (active.length > 0) {
    if (hooks.signal?.aborted) throw interrupted();
    const order = shuffled(active, seededRandom(mixSeed(seed, round)));
    const outcome: RoundOutcome = { records: [], finished: [], cpuCapped };
    const failed = new Set<Arm>();
    for (const s of order) {
      if (hooks.signal?.aborted) break;
      try {
        s.fn ??= await target.configure(s.functionName, s.memoryMB);
        if (!s.warmedUp) {
          s.warmedUp = true;
          for (let i = 0; !s.plan.coldOnly && i < s.plan.warmup; i++) {
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
        failed.add(s);
        outcome.finished.push({
          memoryMB: s.memoryMB,
          failure: { errorType: e.awsType ?? e.name ?? 'Error', message: e.message ?? String(error) },
        });
      }
      const done = failed.has(s) || samplingStatus(s.records, s.plan).done;
      if (done && !failed.has(s)) outcome.finished.push({ memoryMB: s.memoryMB });
      progress(s, done);
      if (s.plan.sleepBetweenMs > 0) await sleep(s.plan.sleepBetweenMs);
    }
    active = active.filter((s) => !failed.has(s) && !samplingStatus(s.records, s.plan).done);
    round++;
    await hooks.onRound?.(outcome);
  }
  if (hooks.signal?.aborted) throw interrupted();
}
