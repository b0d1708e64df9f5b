// Type-only, as report/ reads TuneResult: the model needs the shape of a finished tune, none of the tuner's code.

import { MB_PER_VCPU } from '../sandbox/cpus.js';
import type { ConfigResult, InvocationRecord, TuneResult } from '../tuner/types.js';
import type { SampledPoint } from './bootstrap.js';
import type { DurationPoint, SizeCpu } from './duration-model.js';

/** The CPU a measured size really had: a local host caps the share at its cores (AWS's share otherwise). */
export function measuredCpu(config: ConfigResult, hostCpus?: number): SizeCpu {
  const share = config.memoryMB / MB_PER_VCPU;
  return {
    cpuShare: hostCpus ? Math.min(share, hostCpus) : share,
    ...(config.visibleCpus ? { visibleCpus: config.visibleCpus } : {}),
  };
}

/** The host's cores when the run was local (they cap the share); AWS gives every size its share. */
const hostCpusOf = (result: TuneResult) =>
  result.environment.target === 'local' ? result.environment.hostCpus : undefined;

/** Sizes that ran without errors: only those describe the function's duration. */
const clean = (configs: readonly ConfigResult[]) => configs.filter((c) => c.errors === 0 && c.durationMs);

/** A finished tune's medians, with the CPU each size had, ready for fitDurationModel. */
export function durationPointsOf(result: TuneResult): DurationPoint[] {
  return clean(result.configs).map((c) => ({
    memoryMB: c.memoryMB,
    durationMs: c.durationMs?.p50 ?? Number.NaN,
    ...measuredCpu(c, hostCpusOf(result)),
    initMs: c.initDurationMs?.p50 ?? null,
  }));
}

/** Every measured duration of each clean size, for the bootstrap. */
export function sampledPoints(
  configs: readonly ConfigResult[],
  records: readonly InvocationRecord[],
  hostCpus?: number,
): SampledPoint[] {
  return clean(configs).map((c) => ({
    memoryMB: c.memoryMB,
    samples: records
      .filter((r) => r.memoryMB === c.memoryMB && !r.warmup && r.errorType === null)
      .map((r) => r.durationMs),
    ...measuredCpu(c, hostCpus),
    initMs: c.initDurationMs?.p50 ?? null,
  }));
}

export const sampledPointsOf = (result: TuneResult, records: readonly InvocationRecord[]) =>
  sampledPoints(result.configs, records, hostCpusOf(result));
