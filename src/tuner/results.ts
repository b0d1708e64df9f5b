import type { Architecture } from '../engine/types.js';
import { costPer1M, invocationCost } from '../pricing/cost.js';
import { summarize } from './stats.js';
import type { ConfigResult, InvocationRecord } from './types.js';

export interface ConfigContext {
  architecture: Architecture;
  region: string;
  cpuCapped: boolean;
  failure?: { errorType: string; message: string };
}

/**
 * One memory size's figures from its raw records. Failed invocations count in `errors` and `errorTypes` but not in
 * the duration statistics; cost is priced on the trimmed mean of billed duration (PowerTuning's basis).
 */
export function buildConfigResult(memoryMB: number, all: InvocationRecord[], context: ConfigContext): ConfigResult {
  const records = all.filter((r) => !r.warmup);
  const ok = records.filter((r) => r.errorType === null);
  const failed = records.filter((r) => r.errorType !== null);
  const errorTypes: Record<string, number> = {};
  for (const r of failed) errorTypes[r.errorType ?? 'Unknown'] = (errorTypes[r.errorType ?? 'Unknown'] ?? 0) + 1;
  const cold = all.filter((r) => r.cold && r.initDurationMs !== null && r.errorType === null);
  const billed = summarize(ok.map((r) => r.billedDurationMs));
  const pricing = { memoryMB, architecture: context.architecture, region: context.region };
  return {
    memoryMB,
    invocations: records.length,
    errors: failed.length + (context.failure && records.length === 0 ? 1 : 0),
    errorTypes: context.failure && records.length === 0 ? { [context.failure.errorType]: 1 } : errorTypes,
    ...(context.failure ? { failure: context.failure } : {}),
    durationMs: summarize(ok.map((r) => r.durationMs)),
    billedDurationMs: billed,
    initDurationMs: summarize(cold.map((r) => r.initDurationMs ?? 0)),
    coldStartMs: summarize(cold.map((r) => (r.initDurationMs ?? 0) + r.durationMs)),
    maxMemoryUsedMB: all.reduce((max, r) => Math.max(max, r.maxMemoryUsedMB), 0),
    costUSD: billed
      ? {
          perInvocation: invocationCost({ ...pricing, billedDurationMs: billed.trimmedMean }),
          per1M: costPer1M({ ...pricing, billedDurationMs: billed.trimmedMean }),
        }
      : null,
    coldStarts: cold.length,
    cpuCapped: context.cpuCapped,
  };
}
