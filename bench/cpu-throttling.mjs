// The CPU model against AWS's own throttling: runs pwrdrvr/lambda-throttling's unit of work (rewritten in
// bench/fixtures/throttling-as-published) for 5 s at each memory size it published, and scores the time per unit like
// the experiments' fidelity (both curves divided by their value at the common size nearest 1536 MB, here 1769).
// Also compares the unthrottled speed (3000 MB) of one vCPU here and on AWS. Figures: src/experiments/published.ts.
//   npm run build && node bench/cpu-throttling.mjs [--rounds N]
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { meanAbsError, referenceSize } from '../dist/experiments/fidelity.js';
import { THROTTLING_PUBLISHED, THROTTLING_UNTHROTTLED_MS_PER_UNIT } from '../dist/experiments/published.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'bin', 'lambench.js');
const fixture = path.join(here, 'fixtures', 'throttling-as-published');
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 3;
const TEST_MS = 5000; // the original's test length per size

async function msPerUnit(memoryMB) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      cli,
      'invoke',
      fixture,
      '--memory',
      String(memoryMB),
      '--payload',
      JSON.stringify({ durationMs: TEST_MS }),
      '--json',
    ],
    { maxBuffer: 1 << 20 },
  );
  const result = JSON.parse(stdout);
  if (result.functionError) throw new Error(`${memoryMB} MB: ${result.errorType}`);
  return { ms: result.payload.wallMs / result.payload.units, isolation: result.isolation };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [curve] = THROTTLING_PUBLISHED.curves;
const measured = curve.sizes.map(() => []);
const unthrottled = [];
let isolation = '';
for (let round = 0; round < ROUNDS; round++) {
  // Sizes interleaved round by round, so a burst of load on a shared host spreads over all of them.
  for (const [i, memoryMB] of curve.sizes.entries()) {
    const run = await msPerUnit(memoryMB);
    measured[i].push(run.ms);
    isolation = run.isolation;
  }
  unthrottled.push((await msPerUnit(3000)).ms);
}

const local = measured.map(median);
const ref = curve.sizes.indexOf(referenceSize(curve.sizes));
console.log(`${THROTTLING_PUBLISHED.source}\nisolation ${isolation}; ${ROUNDS} rounds of ${TEST_MS} ms, medians`);
console.log('MB     ms/unit here (rounds)             AWS     here÷AWS  shape error');
for (const [i, memoryMB] of curve.sizes.entries()) {
  const aws = curve.durationsMs[i];
  const shape = local[i] / local[ref] / (aws / curve.durationsMs[ref]) - 1;
  const rounds = measured[i].map((ms) => ms.toFixed(2)).join(', ');
  console.log(
    `${String(memoryMB).padEnd(6)} ${`${local[i].toFixed(2)} (${rounds})`.padEnd(46)}${aws.toFixed(2).padEnd(8)}` +
      `${(local[i] / aws).toFixed(2).padEnd(10)}${(shape * 100).toFixed(1)} %`,
  );
}
const score = meanAbsError(local, curve.durationsMs, ref);
const speed = median(unthrottled);
console.log(`meanAbsError ${(score * 100).toFixed(1)} % (normalised at ${curve.sizes[ref]} MB)`);
console.log(
  `unthrottled (3000 MB): ${speed.toFixed(2)} ms per unit here, ${THROTTLING_UNTHROTTLED_MS_PER_UNIT} on AWS — ` +
    `this host's core is ${(THROTTLING_UNTHROTTLED_MS_PER_UNIT / speed).toFixed(2)}× AWS's vCPU on this work`,
);
