// What an environment's private /tmp costs a cold start: engines whose runtimes get a private /tmp (cache outside
// /tmp) and engines whose runtimes keep the host's (cache under /tmp, which a private /tmp would hide), cold-starting
// hello-node in alternating batches, each batch in a process of its own (the Node.js adapter's prepared paths are
// per process). Needs root on Linux; elsewhere both keep the host's /tmp and the script says so.
//   node bench/private-tmp.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const batchArg = process.argv.indexOf('--batch');
if (batchArg > 0) {
  // One batch: `--batch <cacheDir> <n>`, printing one JSON line.
  const [cacheDir, n] = process.argv.slice(batchArg + 1);
  const { Engine } = await import('../dist/engine/engine.js');
  const { builtInFunctionsDir } = await import('../dist/paths.js');
  const engine = await Engine.create({ cacheDir });
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
  await engine.invoke({ functionName: 'hello-node', payload: '{}' }); // prepare (bundles, links) outside the timing
  const out = { init: [], wall: [], privateTmp: true };
  for (let i = 0; i < Number(n); i++) {
    const started = performance.now();
    const result = await engine.invoke({ functionName: 'hello-node', payload: '{}', forceCold: true });
    out.wall.push(performance.now() - started);
    out.init.push(result.report.initDurationMs);
    out.privateTmp &&= !result.limitsNotApplied.some((l) => l.startsWith('/tmp'));
  }
  await engine.close();
  console.log(JSON.stringify(out));
  process.exit(0);
}

const batches = process.argv.includes('--quick') ? 2 : 8;
const dirs = {
  private: mkdtempSync(path.join('/var/tmp', 'lambench-bench-')),
  host: mkdtempSync(path.join(os.tmpdir(), 'lambench-bench-')),
};
const samples = { private: { init: [], wall: [], applied: true }, host: { init: [], wall: [], applied: true } };
const self = fileURLToPath(import.meta.url);
for (let b = 0; b < batches; b++) {
  for (const name of b % 2 ? ['host', 'private'] : ['private', 'host']) {
    const line = execFileSync(process.execPath, [self, '--batch', path.join(dirs[name], 'cache'), '5'], {
      encoding: 'utf8',
    });
    const batch = JSON.parse(line.trim().split('\n').at(-1));
    samples[name].init.push(...batch.init);
    samples[name].wall.push(...batch.wall);
    samples[name].applied &&= batch.privateTmp;
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const row = (name) => ({
  initMs: median(samples[name].init),
  coldInvokeMs: Number(median(samples[name].wall).toFixed(2)),
});
console.log(
  `hello-node, ${batches * 5} cold starts each, alternating batches, medians (private /tmp applied: ${samples.private.applied}; host's kept: ${!samples.host.applied})`,
);
console.table({ 'private /tmp': row('private'), "host's /tmp": row('host') });
console.log(
  `ratio private/host: Init Duration ${(row('private').initMs / row('host').initMs).toFixed(2)}×, cold invoke ${(row('private').coldInvokeMs / row('host').coldInvokeMs).toFixed(2)}×`,
);
for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
