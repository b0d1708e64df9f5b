import { MAX_MEMORY_MB } from '../engine/manifest.js';
import { LambenchError } from '../errors.js';
import { MB_PER_VCPU } from '../sandbox/cpus.js';

/**
 * PowerTuning's usual steps from 128 MB to Lambda's 10,240 MB, with 1769 MB (one full vCPU) where the curve of
 * single-threaded code flattens.
 */
export const PREDICT_MEMORY_SIZES = [
  128, 256, 512, 1024, 1536, 1769, 2048, 3008, 4096, 5120, 6144, 7168, 8192, 9216, 10240,
] as const;

/** The lowest probe: low enough to separate the CPU part from the I/O part, not so low that it dominates the run. */
const LOW_PROBE_MB = 256;

/** Two sizes separate the CPU part from the I/O part; fewer cannot be fitted. */
export function checkProbeCount(count: number): void {
  if (!Number.isInteger(count) || count < 2) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `--probes must be an integer of at least 2, got ${count}.`,
      'Two sizes separate the CPU part from the I/O part; a third above 1769 MB shows the parallelism (default 3).',
    );
  }
}

/**
 * The sizes to measure, chosen for what each tells the fit: a low one (CPU share 0.14: mostly CPU work, which pins
 * cpuMs), 1769 MB (one vCPU: CPU work + I/O at their 1:1 point, which pins ioMs), and the largest share the host can
 * give in full (cores × 1769 MB, at most 10,240 MB), where code that runs on several cores gets faster than at 1769
 * and single-threaded code does not (which pins the parallelism). More probes go into the widest gaps (on a log
 * scale); fewer keep the low one and 1769 MB, and the model then assumes no parallelism it has not seen.
 */
export function chooseProbeSizes(
  count: number,
  maxFullCpuMemoryMB: number,
  lowestSizeMB = 128,
  lowProbeMB = LOW_PROBE_MB,
): number[] {
  checkProbeCount(count);
  const high = Math.min(MAX_MEMORY_MB, Math.floor(maxFullCpuMemoryMB));
  const low = Math.min(Math.max(lowestSizeMB, lowProbeMB), MB_PER_VCPU - 1);
  // On a one-core host 1769 MB is the top; the second probe then goes between the low one and it.
  const sizes = new Set([low, Math.min(MB_PER_VCPU, high)]);
  if (count >= 3 && high > MB_PER_VCPU) sizes.add(high);
  while (sizes.size < count) {
    const sorted = [...sizes].sort((a, b) => a - b);
    let widest = 0;
    let at = 0;
    for (let i = 1; i < sorted.length; i++) {
      const gap = Math.log((sorted[i] ?? 1) / (sorted[i - 1] ?? 1));
      if (gap > widest) [widest, at] = [gap, i];
    }
    const middle = Math.round(Math.sqrt((sorted[at - 1] ?? low) * (sorted[at] ?? high)));
    if (sizes.has(middle) || widest < 1e-3) break;
    sizes.add(middle);
  }
  return [...sizes].sort((a, b) => a - b);
}
