// Which shape of duration-against-memory fits the probes of `bench/predict-validate.mjs` better, scored on the same
// run's sweep: the shipped model, which adds waiting and CPU (io + cpu ÷ share), or one where a size below one vCPU
// takes max(io + cpu, cpu ÷ share) — a thread that waits between short CPU bursts uses only part of a core, so a CPU
// share above that duty cycle does not slow it at all (the quota is never exhausted). Offline: no function is run.
// Prints each shape's MAPE and how many strategies (cost, speed, balanced) pick the sweep's best size.
//   node bench/predict-shape.mjs lambench-results/predict-validate/*.json
import { readFileSync } from 'node:fs';
import { cpuLimit, fitDurationModel, modelDuration } from '../dist/model/index.js';
import { compareWithSweep } from '../dist/predict/validate.js';
import { invocationCost } from '../dist/pricing/index.js';

const effective = (limit, parallelism) => Math.min(limit, Math.max(1, parallelism));
/** The max-shaped model at a size whose CPU limit (share, capped by cores) is `limit`. */
const maxShaped = ({ io, cpu, parallelism }, limit) =>
  limit < 1 ? Math.max(io + cpu, cpu / limit) : io + cpu / effective(limit, parallelism);

/** Least relative squares over a grid: parallelism 1…most observable, cpu 0…max duration, io from each point. */
function fitMaxShaped(points) {
  const most = Math.max(1, ...points.map((p) => p.limit));
  const top = Math.max(...points.map((p) => p.duration));
  let best = null;
  for (let parallelism = 1; parallelism <= most + 1e-9; parallelism += 0.01) {
    for (let step = 0; step <= 2000; step++) {
      const cpu = (top * step) / 2000;
      for (const p of points) {
        const io = Math.max(0, p.duration - cpu / effective(p.limit, parallelism));
        const model = { io, cpu, parallelism };
        const sse = points.reduce((s, q) => s + ((maxShaped(model, q.limit) - q.duration) / q.duration) ** 2, 0);
        if (!best || sse < best.sse) best = { ...model, sse };
      }
    }
  }
  return best;
}

/** Which size each strategy picks from these predicted durations, checked against the sweep as `--validate` does. */
function picks(run, durationAt) {
  const pricing = { architecture: run.environment.architecture, region: run.environment.pricingRegion };
  const predictions = run.validation.sizes.map(({ memoryMB }) => {
    const durationMs = durationAt(memoryMB);
    const costPer1M = invocationCost({ memoryMB, billedDurationMs: Math.ceil(durationMs), ...pricing }) * 1e6;
    return { memoryMB, durationMs, low: durationMs, high: durationMs, costPer1M, hostCanHonour: true };
  });
  const { best } = compareWithSweep({ ...run, predictions }, run.sweep, run.validation.invocations.sweep);
  return Object.values(best).filter((b) => b.match).length;
}

const mape = (errors) => errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length;
const totals = { additive: [], maxShaped: [], additivePicks: 0, maxShapedPicks: 0, pairs: 0 };
console.log(
  '| workload | additive MAPE | max-shaped MAPE | same best size (of 3): additive, max-shaped | max-shaped fit | max-shaped error per size |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const file of process.argv.slice(2)) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  // AWS's shares and cores: on this 2-core host they are what every size from 128 to 3538 MB got.
  const probes = run.probes.map((p) => ({ memoryMB: p.memoryMB, durationMs: p.p50 }));
  const additive = fitDurationModel(probes);
  const shaped = fitMaxShaped(probes.map((p) => ({ limit: cpuLimit(p.memoryMB, p), duration: p.durationMs })));
  const sizes = run.validation.sizes;
  const err = (predicted, measured) => (100 * (predicted - measured)) / measured;
  const a = sizes.map((s) => err(modelDuration(additive, s.memoryMB), s.measuredP50));
  const m = sizes.map((s) => err(maxShaped(shaped, cpuLimit(s.memoryMB)), s.measuredP50));
  totals.additive.push(mape(a));
  totals.maxShaped.push(mape(m));
  const additivePicks = picks(run, (memoryMB) => modelDuration(additive, memoryMB));
  const shapedPicks = picks(run, (memoryMB) => maxShaped(shaped, cpuLimit(memoryMB)));
  totals.additivePicks += additivePicks;
  totals.maxShapedPicks += shapedPicks;
  totals.pairs += 3;
  const perSize = sizes.map((s, i) => `${s.memoryMB}: ${m[i].toFixed(0)}`).join(', ');
  const fit = `io ${shaped.io.toFixed(0)} ms, cpu ${shaped.cpu.toFixed(0)} ms, parallelism ${shaped.parallelism.toFixed(2)}`;
  console.log(
    `| ${run.workload} | ${mape(a).toFixed(1)} % | ${mape(m).toFixed(1)} % | ${additivePicks}, ${shapedPicks} | ${fit} | ${perSize} |`,
  );
}
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
console.log(
  `\nmean MAPE: additive ${mean(totals.additive).toFixed(1)} %, max-shaped ${mean(totals.maxShaped).toFixed(1)} %`,
);
console.log(
  `same best size: additive ${totals.additivePicks} of ${totals.pairs}, max-shaped ${totals.maxShapedPicks} of ${totals.pairs}`,
);
