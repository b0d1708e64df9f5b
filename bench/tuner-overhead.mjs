// The tuner's own overhead as a share of wall time: 6 memory sizes × 10 invocations of a 50 ms function.
//   npm run build && node bench/tuner-overhead.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../dist/engine/engine.js';
import { builtInFunctionsDir } from '../dist/paths.js';
import { LocalTarget } from '../dist/targets/local/target.js';
import { tune } from '../dist/tuner/tune.js';

const workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-bench-tuner-'));
const engine = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
const plan = {
  functionName: 'hello-node',
  memorySizes: [128, 256, 512, 1024, 1536, 1769],
  invocations: 10,
  parallel: false,
  payloads: [{ name: 'sleep50', payload: '{"sleepMs":50}', weight: 1 }],
  strategy: 'cost',
  balancedWeight: 0.5,
  coldOnly: false,
  warmup: 1,
  sleepBetweenMs: 0,
  architecture: 'x86_64',
  region: 'us-east-1',
  allowedErrorTypes: [],
  autoApply: false,
};
const started = performance.now();
const { records } = await tune(new LocalTarget(engine), plan, { outDir: path.join(workDir, 'out') });
const wallMs = performance.now() - started;
const clientMs = records.reduce((sum, r) => sum + r.clientMs, 0);
const functionMs = records.reduce((sum, r) => sum + r.durationMs + (r.initDurationMs ?? 0), 0);
await engine.close();
await rm(workDir, { recursive: true, force: true });
const share = (x) => `${((x / wallMs) * 100).toFixed(2)} %`;
console.log(`| wall time | invocations (client time) | function time (Duration + Init) | tuner overhead | engine overhead |
| --- | --- | --- | --- | --- |
| ${wallMs.toFixed(0)} ms | ${records.length}: ${clientMs.toFixed(0)} ms | ${functionMs.toFixed(0)} ms | ${(wallMs - clientMs).toFixed(0)} ms = ${share(wallMs - clientMs)} | ${(clientMs - functionMs).toFixed(0)} ms = ${share(clientMs - functionMs)} |
isolation ${engine.isolation}; tuner overhead = wall − Σ client time (planning, statistics, writing JSONL and progress after each size);
engine overhead = Σ client time − Σ (Duration + Init Duration) (dispatch, process start, REPORT).`);
