import { setTimeout as sleep } from 'node:timers/promises';
import { LambenchError } from '../errors.js';
import type { Target, TargetInvokeResult } from '../targets/types.js';
import { type PayloadSpec, payloadSchedule, type TunePlan } from './plan.js';
import { countsAsResult, type InvocationRecord } from './types.js';

export interface SizeProgress {
  memoryMB: number;
  sizeIndex: number;
  sizes: number;
  done: number;
  total: number;
  errors: number;
}

export interface SizeOutcome {
  memoryMB: number;
  records: InvocationRecord[];
  /** Set when the size could not be prepared at all (e.g. configuration rejected). */
  failure?: { errorType: string; message: string };
  cpuCapped: boolean;
}

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: (progress: SizeProgress) => void;
  /** Called after each memory size so results are on disk before the next one starts. */
  onSizeDone?: (outcome: SizeOutcome) => Promise<void>;
  /** Sizes already measured (from --resume); skipped. */
  skipSizes?: ReadonlySet<number>;
}

export function toRecord(
  memoryMB: number,
  payload: PayloadSpec,
  result: TargetInvokeResult,
  startedAt: string,
  allowed: ReadonlySet<string>,
): InvocationRecord {
  const allowedError = result.errorType !== null && allowed.has(result.errorType);
  return {
    memoryMB,
    requestId: result.requestId,
    cold: result.cold,
    durationMs: result.report.durationMs,
    billedDurationMs: result.report.billedDurationMs,
    initDurationMs: result.report.initDurationMs,
    maxMemoryUsedMB: result.report.maxMemoryUsedMB,
    // The error stays on the record (invocations.jsonl must show that the call failed); `allowedError` is what
    // lets the statistics count it as a result.
    functionError: result.functionError,
    errorType: result.errorType,
    ...(result.errorMessage ? { errorMessage: result.errorMessage } : {}),
    ...(allowedError ? { allowedError: true } : {}),
    clientMs: Math.round(result.clientMs * 100) / 100,
    payloadName: payload.name,
    startedAt,
    ...(result.runtimeVersion ? { runtimeVersion: result.runtimeVersion } : {}),
  };
}

export function interrupted(): LambenchError {
  return new LambenchError('INTERRUPTED', 'Interrupted: the results measured so far were written.');
}

/**
 * Runs the plan's invocations size by size. A size that fails (even entirely) is recorded and the run goes on;
 * only an abort stops it, after the invocations in flight.
 */
export async function runPlan(target: Target, plan: TunePlan, hooks: RunHooks = {}): Promise<SizeOutcome[]> {
  const outcomes: SizeOutcome[] = [];
  const allowed = new Set(plan.allowedErrorTypes);
  const schedule = payloadSchedule(plan.payloads, plan.invocations);
  const sizes = plan.memorySizes.filter((m) => !hooks.skipSizes?.has(m));
  for (const [sizeIndex, memoryMB] of sizes.entries()) {
    if (hooks.signal?.aborted) throw interrupted();
    const records: InvocationRecord[] = [];
    let cpuCapped = false;
    let failure: SizeOutcome['failure'];
    const progress = () =>
      hooks.onProgress?.({
        memoryMB,
        sizeIndex,
        sizes: sizes.length,
        done: records.filter((r) => !r.warmup).length,
        total: schedule.length,
        errors: records.filter((r) => !r.warmup && !countsAsResult(r)).length,
      });
    try {
      const fn = await target.configure(plan.functionName, memoryMB);
      const invokeOne = async (payload: PayloadSpec, cold: boolean) => {
        const startedAt = new Date().toISOString();
        const result = await target.invoke(fn, payload.payload, { cold });
        cpuCapped ||= result.cpuCapped;
        return toRecord(memoryMB, payload, result, startedAt, allowed);
      };
      if (!plan.coldOnly) {
        for (let i = 0; i < plan.warmup; i++) {
          records.push({ ...(await invokeOne(schedule[i % schedule.length]!, false)), warmup: true });
        }
      }
      const warmups = records.length;
      progress();
      if (plan.parallel) {
        const results = await Promise.all(
          schedule.map((payload) =>
            invokeOne(payload, plan.coldOnly).then((record) => {
              records.push(record);
              progress();
              return record;
            }),
          ),
        );
        records.splice(warmups, records.length - warmups, ...results);
      } else {
        for (const payload of schedule) {
          if (hooks.signal?.aborted) break;
          records.push(await invokeOne(payload, plan.coldOnly));
          progress();
          if (plan.sleepBetweenMs > 0) await sleep(plan.sleepBetweenMs);
        }
      }
    } catch (error) {
      const e = error as { awsType?: string; name?: string; message?: string };
      failure = { errorType: e.awsType ?? e.name ?? 'Error', message: e.message ?? String(error) };
    }
    const outcome: SizeOutcome = { memoryMB, records, cpuCapped, ...(failure ? { failure } : {}) };
    outcomes.push(outcome);
    await hooks.onSizeDone?.(outcome);
    if (hooks.signal?.aborted) throw interrupted();
  }
  return outcomes;
}
