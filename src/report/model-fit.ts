import { type DurationModel, describeModel, fitDurationModel, modelDuration } from '../model/duration-model.js';
import { durationPointsOf } from '../model/from-tune.js';
import { MB_PER_VCPU, visibleCpusForMemory } from '../sandbox/cpus.js';
import type { TuneResult } from '../tuner/types.js';

/** Points along the fitted curve, enough for a smooth line between the smallest and the largest size measured. */
const CURVE_POINTS = 48;

/**
 * The duration model (src/model) fitted to a finished tune's medians, and its curve as this run's host measured it
 * (a local host caps the share and the cores), so the line goes through the points. Null when the sizes cannot
 * separate the CPU part from the I/O part (fewer than two clean sizes with different shares below 1769 MB).
 */
export function tuneModelFit(
  result: TuneResult,
): { model: DurationModel; text: string; curve: Array<{ x: number; y: number }> } | null {
  const points = durationPointsOf(result);
  let model: DurationModel;
  try {
    model = fitDurationModel(points);
  } catch {
    return null;
  }
  const sizes = points.map((p) => p.memoryMB);
  const [lo, hi] = [Math.min(...sizes), Math.max(...sizes)];
  const hostCpus = result.environment.target === 'local' ? result.environment.hostCpus : undefined;
  const curve = Array.from({ length: CURVE_POINTS }, (_, i) => {
    // Log-spaced: the curve bends most at the small sizes.
    const m = Math.round(lo * (hi / lo) ** (i / (CURVE_POINTS - 1)));
    const cpu = hostCpus
      ? { cpuShare: Math.min(m / MB_PER_VCPU, hostCpus), visibleCpus: visibleCpusForMemory(m, hostCpus) }
      : {};
    return { x: m, y: Math.round(modelDuration(model, m, cpu) * 100) / 100 };
  });
  const text = `Duration model (lambench predict's, fitted to these medians; ${(model.rmsRelativeError * 100).toFixed(1)} % RMS error): ${describeModel(model)}.`;
  return { model, text, curve };
}
