import type { TuneResult } from '../tuner/types.js';
import { type ClaimCheck, capSizes, type Experiment, median } from './types.js';

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? a / b : Number.NaN);

/**
 * nogibjj/rust-tutorial week 5, done right: identical work per worker, as threads and as processes, over memory.
 * The original's claim to test: processes cost more than threads, most at low memory (a small CPU share has to pay
 * for starting whole runtimes).
 */
export const cpuExperiment: Experiment = {
  name: 'cpu',
  title: 'CPU work: threads vs processes over memory',
  source: 'nogibjj/rust-tutorial week 5 (a "crude, buggy" Rust-vs-Python benchmark), corrected',
  async run(ctx) {
    const { sizes, capped } = capSizes(ctx.quick ? [256, 1024, 3008] : [256, 512, 1024, 1769, 3008, 5120], ctx);
    const workers = 2;
    const iterations = ctx.quick ? 10_000_000 : 50_000_000;
    const results: TuneResult[] = [];
    for (const mode of ['threads', 'processes'] as const) {
      results.push(
        await ctx.tune(`cpu-node ${mode} ×${workers}`, 'cpu-node', {
          memorySizes: sizes,
          payload: { iterations, workers, mode },
          invocations: ctx.quick ? 3 : 10,
        }),
      );
    }
    const [threads, processes] = results as [TuneResult, TuneResult];
    const low = sizes[0] ?? 256;
    const high = sizes.at(-1) ?? 3008;
    const penaltyLow = ratio(median(processes, low), median(threads, low));
    const penaltyHigh = ratio(median(processes, high), median(threads, high));
    const speedup = ratio(median(threads, low), median(threads, high));
    const claims: ClaimCheck[] = [
      {
        claim: 'Processes cost more than threads, and the penalty is largest at low memory',
        published: 'Qualitative (the original compares Rust threads with Python processes)',
        measured: `processes ÷ threads: ${penaltyLow.toFixed(2)}× at ${low} MB, ${penaltyHigh.toFixed(2)}× at ${high} MB`,
        verdict: penaltyLow > 1 && penaltyLow > penaltyHigh ? 'reproduced' : 'not reproduced',
        why:
          penaltyLow > penaltyHigh
            ? 'Starting a runtime per worker is CPU work, paid at the CPU share of the memory size.'
            : 'Process start-up is small next to the work at this size of work; raise iterations to see less of it.',
      },
      {
        claim: 'More memory buys CPU: the same two-worker job gets faster up to the vCPUs it can use',
        published: 'Lambda gives memory / 1769 vCPU',
        measured: `threads: ${low} MB is ${speedup.toFixed(1)}× slower than ${high} MB (CPU share ratio ${(Math.min(high, ctx.maxFullCpuMB) / low).toFixed(1)}×; the job needs at most ${workers} vCPUs)`,
        verdict: speedup > 2 ? 'reproduced' : 'not reproduced',
        why: 'CFS quota = memory / 1769 vCPU per environment.',
      },
    ];
    const notes = [
      `Each worker runs ${iterations.toLocaleString('en')} iterations of the same hash loop; ${workers} workers.`,
    ];
    if (capped.length) notes.push(`Left out (host has ${ctx.hostCpus} CPUs): ${capped.join(', ')} MB.`);
    return { results, claims, notes };
  },
};
