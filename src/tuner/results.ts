import type { Architecture } from '../engine/types.js';
import { costPer1M, invocationCost, monthlyCost } from '../pricing/cost.js';
import { summarize } from './stats.js';
import { type ConfigResult, countsAsResult, type InvocationRecord, type SizeSampling } from './types.js';

export interface ConfigContext {
  architecture: Architecture;
  region: string;
  cpuCapped: boolean;
  visibleCpus?: number;
  failure?: { errorType: string; message: string };
  monthly?: { invocations: number; freeTier: boolean };
  sampling?: SizeSampling;
}

/**
 * One memory size's figures from its raw records. Failed invocations count in `errors` and `errorTypes` but not in
 * the duration statistics; allowed errors (--allowed-errors) are results, counted apart in `allowedErrors`. Cost is
 * priced on the trimmed mean of billed duration (PowerTuning's basis).
 */
export function buildConfigResult(memoryMB: number, all: InvocationRecord[], context: ConfigContext): ConfigResult {
  const records = all.filter((r) => !r.warmup);
  const ok = records.filter(countsAsResult);
  const failed = records.filter((r) => !countsAsResult(r));
  const errorTypes = countTypes(failed);
  const allowedErrors = countTypes(ok.filter((r) => r.errorType !== null));
  const cold = all.filter((r) => r.cold && r.initDurationMs !== null && countsAsResult(r));
  const billed = summarize(ok.map((r) => r.billedDurationMs));
  const pricing = { memoryMB, architecture: context.architecture, region: context.region };
  return {
    memoryMB,
    invocations: records.length,
    errors: failed.length + (context.failure && records.length === 0 ? 1 : 0),
    errorTypes: context.failure && records.length === 0 ? { [context.failure.errorType]: 1 } : errorTypes,
    ...(Object.keys(allowedErrors).length > 0 ? { allowedErrors } : {}),
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
          ...(context.monthly
            ? {
                perMonth: monthlyCost({
                  ...pricing,
                  avgBilledMs: billed.trimmedMean,
                  invocationsPerMonth: context.monthly.invocations,
                  freeTier: context.monthly.freeTier,
                }).totalUSD,
              }
            : {}),
        }
      : null,
    coldStarts: cold.length,
    cpuCapped: context.cpuCapped,
    ...(context.visibleCpus ? { visibleCpus: context.visibleCpus } : {}),
    ...(context.sampling ? { sampling: context.sampling } : {}),
  };
}

function countTypes(records: InvocationRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.errorType ?? 'Unknown'] = (counts[r.errorType ?? 'Unknown'] ?? 0) + 1;
  return counts;
}
