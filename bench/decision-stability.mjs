// How often the full sweep of `bench/predict-validate.mjs` agrees with itself on the best size: each size's sweep
// invocations split at random into two halves (seeded, 200 splits), each half summed up as the tuner does, and the
// best size picked from each half by PowerTuning's strict rule and with a tolerance. Two halves of one sweep are the
// most a prediction can be expected to agree with a sweep of that size: it is the sweep's own noise, measured.
// Offline: reads the runs' `sweepRecords` (written since predict-validate kept them); no function is run.
//   npm run build && node bench/decision-stability.mjs [--tolerance 0.05] lambench-results/predict-validate/*.json
import { readFileSync } from 'node:fs';
import { seededRandom, shuffled } from '../dist/stats/random.js';
import { STRATEGIES } from '../dist/tuner/plan.js';
import { buildConfigResult } from '../dist/tuner/results.js';
import { chooseBest } from '../dist/tuner/strategy.js';

const args = process.argv.slice(2);
const at = args.indexOf('--tolerance');
const TOLERANCE = at >= 0 ? Number(args.splice(at, 2)[1]) : 0.05;
const SPLITS = 200;

/** Splits each size's records into two random halves. */
function split(bySize, random) {
  const halves = [[], []];
  for (const records of bySize.values()) {
    const order = shuffled(records, random);
    const middle = Math.floor(order.length / 2);
    halves[0].push(order.slice(0, middle));
    halves[1].push(order.slice(middle));
  }
  return halves;
}

const pct = (x) => `${Math.round(x * 100)} %`;
const totals = { strict: 0, tolerant: 0, pairs: 0 };
console.log(`| workload | strict: cost, speed, balanced | tolerance ${pct(TOLERANCE)}: cost, speed, balanced |`);
console.log('| --- | --- | --- |');
for (const file of args) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  if (!run.sweepRecords) {
    console.log(`| ${run.workload} | no sweepRecords: re-run bench/predict-validate.mjs | |`);
    continue;
  }
  const bySize = new Map();
  for (const r of run.sweepRecords) bySize.set(r.memoryMB, [...(bySize.get(r.memoryMB) ?? []), r]);
  const context = { architecture: run.environment.architecture, region: run.environment.pricingRegion };
  const agree = { strict: STRATEGIES.map(() => 0), tolerant: STRATEGIES.map(() => 0) };
  const random = seededRandom(1);
  for (let i = 0; i < SPLITS; i++) {
    const halves = split(bySize, random).map((sizes) =>
      sizes.map((records) => buildConfigResult(records[0].memoryMB, records, { ...context, cpuCapped: false })),
    );
    STRATEGIES.forEach((strategy, s) => {
      for (const [rule, tolerance] of [
        ['strict', 0],
        ['tolerant', TOLERANCE],
      ]) {
        const [a, b] = halves.map((configs) => chooseBest(configs, { strategy, tolerance })?.memoryMB);
        if (a === b) agree[rule][s]++;
      }
    });
  }
  const shares = (rule) => agree[rule].map((n) => pct(n / SPLITS)).join(', ');
  console.log(`| ${run.workload} | ${shares('strict')} | ${shares('tolerant')} |`);
  totals.strict += agree.strict.reduce((a, b) => a + b, 0) / SPLITS;
  totals.tolerant += agree.tolerant.reduce((a, b) => a + b, 0) / SPLITS;
  totals.pairs += STRATEGIES.length;
}
console.log(
  `\nTwo halves of one sweep pick the same size in ${pct(totals.strict / totals.pairs)} of workload × strategy pairs (strict), ${pct(totals.tolerant / totals.pairs)} with the tolerance.`,
);
