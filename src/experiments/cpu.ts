import type { TuneResult } from '../tuner/types.js';
import { type ClaimCheck, capSizes, type Experiment, median } from './types.js';

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? a / b : Number.NaN);
/** Pure-Python hashing is ~50× slower than Node's or Rust's loop; it gets proportionally less work. */
const PYTHON_SLOWER = 50;
const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : `${x.toFixed(0)} ms`);

/** The same hash loop in every language; the original compared Rust threads with Python processes. */
const VARIANTS = [
  { fn: 'cpu-node', mode: 'threads' },
  { fn: 'cpu-node', mode: 'processes' },
  { fn: 'cpu-python', mode: 'processes' },
  { fn: 'cpu-rust', mode: 'threads' },
] as const;

/**
 * nogibjj/rust-tutorial week 5, done right: identical work per worker, as threads and as processes, workers 1…N,
 * over memory. The original's claim to test: processes cost more than threads, most at low memory (a small CPU
 * share has to pay for starting whole runtimes).
 */
export const cpuExperiment: Experiment = {
  name: 'cpu',
  title: 'CPU work: threads vs processes, workers 1…N, over memory',
  source: 'nogibjj/rust-tutorial week 5 (a "crude, buggy" Rust-vs-Python benchmark), corrected',
  async run(ctx) {
    const { sizes, capped } = capSizes(ctx.quick ? [256, 1024, 3008] : [256, 512, 1024, 1769, 3008, 5120], ctx);
    const most = Math.max(2, Math.min(ctx.hostCpus, Math.ceil((sizes.at(-1) ?? 1769) / 1769)));
    const workerCounts = ctx.quick ? [most] : Array.from({ length: most }, (_, i) => i + 1);
    const iterations = ctx.quick ? 10_000_000 : 50_000_000;
    const results: TuneResult[] = [];
    const label = (fn: string, mode: string, workers: number) => `${fn} ${mode} ×${workers}`;
    for (const workers of workerCounts) {
      for (const { fn, mode } of VARIANTS.filter((v) => ctx.has(v.fn))) {
        // Python and Rust run in full mode at the largest worker count only: the node pair carries the claims.
        if (fn !== 'cpu-node' && (ctx.quick || workers !== most)) continue;
        results.push(
          await ctx.tune(label(fn, mode, workers), fn, {
            memorySizes: sizes,
            payload: { iterations: fn === 'cpu-python' ? iterations / PYTHON_SLOWER : iterations, workers, mode },
            invocations: ctx.quick ? 3 : 10,
          }),
        );
      }
    }
    const pick = (mode: string, workers: number) =>
      results.find((r) => r.function === label('cpu-node', mode, workers));
    const threads = pick('threads', most);
    const processes = pick('processes', most);
    const low = sizes[0] ?? 256;
    const high = sizes.at(-1) ?? 3008;
    const penalty = (m: number) =>
      threads && processes ? (median(processes, m) ?? Number.NaN) - (median(threads, m) ?? Number.NaN) : Number.NaN;
    const [penaltyLow, penaltyHigh] = [penalty(low), penalty(high)];
    const speedup = ratio(threads && median(threads, low), threads && median(threads, high));
    const claims: ClaimCheck[] = [
      {
        claim: 'Processes cost more than threads, and the penalty is largest at low memory',
        published: 'Qualitative (the original compares Rust threads with Python processes)',
        measured: `cpu-node ×${most}, processes − threads: ${ms(penaltyLow)} at ${low} MB, ${ms(penaltyHigh)} at ${high} MB (processes ÷ threads ${ratio(processes && median(processes, low), threads && median(threads, low)).toFixed(2)}× and ${ratio(processes && median(processes, high), threads && median(threads, high)).toFixed(2)}×)`,
        verdict:
          !threads || !processes
            ? 'not run'
            : penaltyLow > 0 && penaltyLow > penaltyHigh
              ? 'reproduced'
              : 'not reproduced',
        why: 'Starting a runtime per worker is CPU work, paid at the CPU share of the memory size: the extra time shrinks as memory buys CPU, while the ratio stays near the work-to-start-up ratio.',
      },
      {
        claim: 'More memory buys CPU: the same job gets faster up to the vCPUs it can use',
        published: 'Lambda gives memory / 1769 vCPU',
        measured: `threads ×${most}: ${low} MB is ${speedup.toFixed(1)}× slower than ${high} MB (CPU share ratio ${(Math.min(high, ctx.maxFullCpuMB) / low).toFixed(1)}×; the job needs at most ${most} vCPUs)`,
        verdict: !threads ? 'not run' : speedup > 2 ? 'reproduced' : 'not reproduced',
        why: 'CFS quota = memory / 1769 vCPU per environment.',
      },
    ];
    if (workerCounts.length > 1 && threads) {
      const one = pick('threads', 1);
      const gain = ratio(one && median(one, high), threads && median(threads, high));
      const perWorker = ratio(threads && median(threads, high), one && median(one, high));
      claims.push({
        claim: `Above ${Math.ceil(high / 1769) - 1} vCPU, ${most} workers finish in about the time of one (work per worker fixed)`,
        published: `${high} MB = ${(high / 1769).toFixed(2)} vCPU`,
        measured: `threads at ${high} MB: ×1 ${ms(one && median(one, high))}, ×${most} ${ms(median(threads, high))} (${perWorker.toFixed(2)}× the time for ${most}× the work)`,
        verdict: gain > 0 && perWorker < most * 0.75 ? 'reproduced' : 'not reproduced',
        why: 'Each worker gets a CPU of its own once the quota exceeds the workers; below it they share it.',
      });
    }
    const notes = [
      `Each worker runs ${iterations.toLocaleString('en')} iterations of the same hash loop; workers ${workerCounts.join(', ')}${ctx.quick ? '' : `; Python (processes, ${iterations / PYTHON_SLOWER} iterations) and Rust (threads) at ×${most}`}.`,
    ];
    if (capped.length) notes.push(`Left out (host has ${ctx.hostCpus} CPUs): ${capped.join(', ')} MB.`);
    return { results, claims, notes };
  },
};
