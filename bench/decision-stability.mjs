// How often the full sweep of `bench/predict-validate.mjs` agrees with itself on the best size. Offline: reads the
// runs' `sweepRecords` (kept since predict-validate writes them); no function is run.
// 1. Two halves: each size's sweep invocations split at random into two halves (seeded, 200 splits), each half summed
//    up as the tuner does, the best size picked from each by PowerTuning's strict rule and with the tolerance.
// 2. With --against DIR (an earlier run's folder): the two runs' full sweeps, workload by workload — back-to-back
//    runs, the comparison PowerTuning users make — and whether tune's confidence (the share of bootstrap resamples of
//    this run's invocations picking its size, tuner/confidence.ts) tells the picks that repeat from those that do not.
// A prediction cannot be expected to agree with a sweep more often than the sweep agrees with itself.
//   npm run build && node bench/decision-stability.mjs [--tolerance 0.05] [--against DIR] lambench-results/predict-validate/*.json
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom, shuffled } from '../dist/stats/random.js';
import { pickConfidence } from '../dist/tuner/confidence.js';
import { STRATEGIES } from '../dist/tuner/plan.js';
import { buildConfigResult } from '../dist/tuner/results.js';
import { chooseBest } from '../dist/tuner/strategy.js';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const TOLERANCE = Number(option('--tolerance') ?? 0.05);
const AGAINST = option('--against');
const SPLITS = 200;
const RULES = [
  ['strict', 0],
  ['tolerance', TOLERANCE],
];

const pct = (x) => `${Math.round(x * 100)} %`;
const bySizeOf = (run) => {
  const bySize = new Map();
  for (const r of run.sweepRecords) bySize.set(r.memoryMB, [...(bySize.get(r.memoryMB) ?? []), r]);
  return bySize;
};
const summariser = (run) => (memoryMB, records) =>
  buildConfigResult(memoryMB, records, {
    architecture: run.environment.architecture,
    region: run.environment.pricingRegion,
    cpuCapped: false,
  });

/** Each size's records in two random halves, summed up. */
function halves(bySize, summarise, random) {
  const out = [[], []];
  for (const [memoryMB, records] of bySize) {
    const order = shuffled(records, random);
    const middle = Math.floor(order.length / 2);
    out[0].push(summarise(memoryMB, order.slice(0, middle)));
    out[1].push(summarise(memoryMB, order.slice(middle)));
  }
  return out;
}

const runs = args.map((file) => JSON.parse(readFileSync(file, 'utf8'))).filter((run) => run.sweepRecords);
const split = { strict: 0, tolerance: 0, pairs: 0 };
const repeat = { strict: 0, tolerance: 0, pairs: 0 };
const bins = { sure: [0, 0], unsure: [0, 0] };
for (const run of runs) {
  const bySize = bySizeOf(run);
  const summarise = summariser(run);
  const random = seededRandom(1);
  for (let i = 0; i < SPLITS; i++) {
    const [a, b] = halves(bySize, summarise, random);
    for (const strategy of STRATEGIES) {
      for (const [rule, tolerance] of RULES) {
        if (chooseBest(a, { strategy, tolerance })?.memoryMB === chooseBest(b, { strategy, tolerance })?.memoryMB)
          split[rule] += 1 / SPLITS;
      }
    }
  }
  split.pairs += STRATEGIES.length;
  if (!AGAINST) continue;
  const earlier = JSON.parse(readFileSync(path.join(AGAINST, `${run.workload}.json`), 'utf8'));
  for (const strategy of STRATEGIES) {
    for (const [rule, tolerance] of RULES) {
      const now = chooseBest(run.sweep, { strategy, tolerance })?.memoryMB;
      const then = chooseBest(earlier.sweep, { strategy, tolerance })?.memoryMB;
      if (now === then) repeat[rule]++;
      if (rule !== 'tolerance') continue;
      const share = pickConfidence(bySize, summarise, { strategy, tolerance })?.picks.find((p) => p.memoryMB === now);
      const bin = (share?.share ?? 0) >= 0.7 ? bins.sure : bins.unsure;
      bin[0] += now === then ? 1 : 0;
      bin[1]++;
    }
  }
  repeat.pairs += STRATEGIES.length;
}
console.log(
  `Two halves of one sweep pick the same size in ${pct(split.strict / split.pairs)} of ${split.pairs} workload × strategy pairs by the strict rule, ${pct(split.tolerance / split.pairs)} with a ${pct(TOLERANCE)} tolerance.`,
);
if (AGAINST) {
  console.log(
    `Against ${AGAINST}: the two runs' sweeps pick the same size in ${repeat.strict} of ${repeat.pairs} pairs by the strict rule, ${repeat.tolerance} with the tolerance.`,
  );
  console.log(
    `Picks ≥ 70 % of this run's resamples confirm: ${bins.sure[0]} of ${bins.sure[1]} repeated in the other run; below 70 %: ${bins.unsure[0]} of ${bins.unsure[1]}.`,
  );
}
