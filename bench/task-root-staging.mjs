// What staging a JavaScript function's code as its task root costs (src/runtimes/task-root.ts): the first staging
// of a folder with a 2,000-file node_modules (10 MB), the check that finds it already staged (one stat per file,
// paid once per engine), and a plain recursive copy of the same tree (fs.cpSync) for scale. Alternating, fresh
// trees each round, medians.
//   node bench/task-root-staging.mjs [--quick]
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const { stageTaskRoot } = await import('../dist/runtimes/task-root.js');
const rounds = process.argv.includes('--quick') ? 3 : 7;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function makeTree(root) {
  for (let p = 0; p < 100; p++) {
    const dir = path.join(root, 'node_modules', `pkg${p}`, 'lib');
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 20; f++) writeFileSync(path.join(dir, `f${f}.js`), `module.exports = ${'1+'.repeat(2499)}1;\n`);
  }
  writeFileSync(path.join(root, 'index.js'), 'exports.handler = async () => 1;\n');
}

const first = [];
const again = [];
const copy = [];
for (let round = 0; round < rounds; round++) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'lambench-staging-bench-'));
  const code = path.join(work, 'fn');
  makeTree(code);
  let t = performance.now();
  cpSync(code, path.join(work, 'copied'), { recursive: true });
  copy.push(performance.now() - t);
  t = performance.now();
  await stageTaskRoot('bench', code, path.join(work, 'cache'), { family: 'nodejs' });
  first.push(performance.now() - t);
  t = performance.now();
  await stageTaskRoot('bench', code, path.join(work, 'cache'), { family: 'nodejs' });
  again.push(performance.now() - t);
  rmSync(work, { recursive: true, force: true });
}
console.log(`2,001 files, 10 MB, median of ${rounds}:`);
console.log(`  first staging (hard links)      ${median(first).toFixed(0)} ms`);
console.log(`  already staged (stat walk)      ${median(again).toFixed(0)} ms`);
console.log(
  `  fs.cpSync of the same tree      ${median(copy).toFixed(0)} ms (${(median(copy) / median(first)).toFixed(1)}x the staging)`,
);
