// Type-only, as report/ reads TuneResult: the model needs the shape of a finished tune, none of the tuner's code.

import { MB_PER_VCPU } from '../sandbox/cpus.js';
import type { ConfigResult, InvocationRecord, TuneResult } from '../tuner/types.js';
import type { SampledPoint } from './bootstrap.js';
import type { DurationPoint, SizeCpu } from './duration-model.js';

/** The CPU a measured size really had: a local host caps the share at its cores (AWS's share otherwise). */
export function measuredCpu(result: TuneResult, config: ConfigResult): SizeCpu {
  const share = config.memoryMB / MB_PER_VCPU;
  const hostCpus = result.environment.target === 'local' ? result.environment.hostCpus : undefined;
  return {
    cpuShare: hostCpus ? Math.min(share, hostCpus) : share,
    ...(config.visibleCpus ? { visibleCpus: config.visibleCpus } : {}),
  };
}

/** Sizes that ran without errors: only those describe the function's duration. */
const clean = (result: TuneResult) => result.configs.filter((c) => c.errors === 0 && c.durationMs);

/** A finished tune's medians, with the CPU each size had, ready for fitDurationModel. */
export function durationPointsOf(result: TuneResult): DurationPoint[] {
  return clean(result).map((c) => ({
    memoryMB: c.memoryMB,
    durationMs: c.durationMs?.p50 ?? Number.NaN,
    ...measuredCpu(result, c),
    initMs: c.initDurationMs?.p50 ?? null,
  }));
}

/** The same with every measured duration, for the bootstrap. */
export function sampledPointsOf(result: TuneResult, records: readonly InvocationRecord[]): SampledPoint[] {
  return clean(result).map((c) => ({
    memoryMB: c.memoryMB,
    samples: records
      .filter((r) => r.memoryMB === c.memoryMB && !r.warmup && r.errorType === null)
      .map((r) => r.durationMs),
    ...measuredCpu(result, c),
    initMs: c.initDurationMs?.p50 ?? null,
  }));
}
