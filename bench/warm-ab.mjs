// Warm invocation latency of two builds of lambench side by side, in alternating batches of one run (so both see
// the same state of a noisy machine). For checking that a change costs the hot path nothing.
//   node bench/warm-ab.mjs <before-checkout> <after-checkout> [N=4000] [fn,fn=hello-node,hello-python] [memoryMB=1769]
// Each checkout needs a built dist/ (npx tsc -p tsconfig.build.json), e.g. a `git worktree add --detach` of the base.
import { performance } from 'node:perf_hooks';

const [beforeDir, afterDir, n = '4000', fns = 'hello-node,hello-python', memory = '1769'] = process.argv.slice(2);
if (!beforeDir || !afterDir) {
  console.error('usage: node bench/warm-ab.mjs <before-checkout> <after-checkout> [N] [functions] [memoryMB]');
  process.exit(2);
}
const N = Number(n);
const BATCH = 100;
const memoryMB = Number(memory);
const engines = {};
for (const [name, dir] of [
  ['before', beforeDir],
  ['after', afterDir],
]) {
  const { Engine } = await import(`${dir}/dist/engine/engine.js`);
  const engine = await Engine.create({ cacheDir: `${dir}/.lambench/cache` });
  await engine.functions.registerFolder(`${dir}/functions/hello/node`);
  await engine.functions.registerFolder(`${dir}/functions/hello/python`);
  engines[name] = engine;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const functionName of fns.split(',')) {
  const samples = { before: [], after: [] };
  const request = { functionName, payload: '{}', memoryMB };
  for (const engine of Object.values(engines)) for (let i = 0; i < 50; i++) await engine.invokeForAnswer(request);
  for (let batch = 0; batch < N / BATCH; batch++) {
    for (const name of batch % 2 ? ['before', 'after'] : ['after', 'before']) {
      for (let i = 0; i < BATCH; i++) {
        const started = performance.now();
        await engines[name].invokeForAnswer(request);
        samples[name].push(performance.now() - started);
      }
    }
  }
  const before = median(samples.before) * 1000;
  const after = median(samples.after) * 1000;
  console.log(
    `${functionName} @ ${memoryMB} MB, ${N} each: median before ${before.toFixed(0)} µs, after ${after.toFixed(0)} µs, after/before ${(after / before).toFixed(3)}`,
  );
}
for (const engine of Object.values(engines)) await engine.close();
