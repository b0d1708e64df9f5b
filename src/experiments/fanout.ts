import os from 'node:os';
import { categoryChart } from '../report/chart-spec.js';
import type { ClaimCheck, Experiment, ExperimentContext } from './types.js';

/** Python's ThreadPoolExecutor caps its default pool at 32 workers. */
const POOL_SIZE = 32;
/** Published totals (s) for 390 calls of a 1 s function on AWS, by payload KB; strategies as the original named them. */
const PUBLISHED: Record<string, { allAtOnce: number; pool: number; threads: number }> = {
  '50': { allAtOnce: 2.39, pool: 3.873, threads: 2.355 },
  '1': { allAtOnce: 2.203, pool: 3.733, threads: 2.238 },
};
const ORCHESTRATORS = [
  { fn: 'fanout-python', target: 'hello-python', allAtOnce: 'asyncio', pool: 'threadpool', threads: 'hybrid' },
  { fn: 'fanout-node', target: 'hello-node', allAtOnce: 'all-at-once', pool: 'pool', threads: 'threads' },
] as const;

interface Overheads {
  /** Every target environment started for this run. */
  cold: number;
  /** Mean of the warm reruns. */
  warm: number;
}

/** Time over 1 s of one fan-out: once with the target's environments retired (cold), then `reruns` times warm. */
async function overhead(
  ctx: ExperimentContext,
  fn: string,
  target: string,
  payload: object,
  reruns: number,
): Promise<Overheads> {
  const runOnce = async () => {
    const result = await ctx.invoke(fn, payload);
    const body = JSON.parse(result.payload) as { overheadMs: number; errorMessage?: string };
    if (result.functionError) throw new Error(`${fn} failed: ${body.errorMessage ?? result.payload}`);
    return body.overheadMs / 1000;
  };
  const cold = (await ctx.retireEnvironments(target)) ? await runOnce() : Number.NaN;
  const warm: number[] = [];
  for (let i = 0; i < reruns; i++) warm.push(await runOnce());
  return { cold, warm: warm.reduce((a, b) => a + b, 0) / warm.length };
}

/**
 * Marchusness/lambda-performance fan-out: an orchestrator (3072 MB) invokes `hello` (128 MB, sleeps 1 s) N times
 * synchronously: all at once (asyncio), a thread pool, and a hybrid of threads each firing their share at once.
 */
export const fanoutExperiment: Experiment = {
  name: 'fanout',
  title: 'Fan-out: N synchronous invocations from one orchestrator',
  source: 'Marchusness/lambda-performance',
  async run(ctx) {
    // Each concurrent hello is a process (~45 MB); scale N to the host's memory (the original used 390).
    const count = ctx.quick ? 40 : Math.min(390, Math.floor(os.freemem() / (80 * 2 ** 20)));
    const reruns = ctx.quick ? 1 : 10;
    const claims: ClaimCheck[] = [];
    const bars: Array<{ label: string; values: Array<number | undefined> }> = [];
    for (const o of ORCHESTRATORS.filter((x) => ctx.has(x.fn) && ctx.has(x.target))) {
      await ctx.prepare(o.target);
      for (const kb of [1, 50]) {
        const m: Record<string, Overheads> = {};
        for (const strategy of [o.allAtOnce, o.pool, o.threads]) {
          const result = await overhead(
            ctx,
            o.fn,
            o.target,
            { target: o.target, count, payloadKB: kb, strategy, poolSize: POOL_SIZE, threads: 2 },
            reruns,
          );
          m[strategy] = result;
          ctx.log(
            `fanout ${o.fn} ${kb} KB ${strategy}: ${result.warm.toFixed(3)} s over 1 s warm, ${result.cold.toFixed(3)} s cold`,
          );
        }
        const p = PUBLISHED[String(kb)] ?? { allAtOnce: 0, pool: 0, threads: 0 };
        const none = { cold: 0, warm: 0 };
        const [a, b, c] = [m[o.allAtOnce] ?? none, m[o.pool] ?? none, m[o.threads] ?? none];
        bars.push({ label: `${o.fn} ${kb} KB`, values: [a.warm, b.warm, c.warm] });
        const both = (x: Overheads) =>
          `${x.warm.toFixed(3)} s warm / ${Number.isNaN(x.cold) ? 'cold not run' : `${x.cold.toFixed(3)} s cold`}`;
        claims.push({
          claim: `${o.fn}, ${kb} KB payload: all at once (${o.allAtOnce}) beats a bounded pool (${o.pool})`,
          published: `time − 1 s: asyncio ${(p.allAtOnce - 1).toFixed(3)} s, threadpool ${(p.pool - 1).toFixed(3)} s, hybrid ${(p.threads - 1).toFixed(3)} s (390 calls, AWS)`,
          measured: `time − 1 s: ${o.allAtOnce} ${both(a)}, ${o.pool} ${both(b)}, ${o.threads} ${both(c)} (${count} calls)`,
          verdict: a.warm < b.warm ? 'reproduced' : 'not reproduced',
          why: `A pool of ${POOL_SIZE} needs ${Math.ceil(count / POOL_SIZE)} rounds of 1 s sleeps; all at once needs one. Cold, all at once also starts ${count} environments at the same moment.`,
        });
      }
    }
    const chart = categoryChart(
      {
        id: 'fanout-chart',
        title: `Time over the 1 s sleep of ${count} synchronous invocations (warm)`,
        x: { title: 'strategy', categories: ['all at once', `pool of ${POOL_SIZE}`, 'threads'] },
        y: { title: 'seconds over 1 s' },
        empty: 'No orchestrator available here.',
      },
      bars,
    );
    return {
      results: [],
      claims,
      charts: [chart],
      notes: [
        `N = ${count} (the original used 390; scaled to this host's memory). Per strategy: one cold run (the target's idle environments retired first, as after an update on AWS), then ${reruns} warm rerun(s) averaged; the verdict uses the warm figures, as the original's 10 reruns did.`,
      ],
    };
  },
};
