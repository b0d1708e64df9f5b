// CPU time per large-payload echo, split between the engine's process (Invoke API + engine + the SDK client, which
// run in this process) and the runtime's process: where a megabyte's cost goes, which wall-clock ratios on a shared
// host hide.   npm run build && node bench/payload-cpu.mjs [--mib N] [-n N]
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Engine } from '../dist/engine/engine.js';
import { startLambdaServer } from '../dist/engine/http/server.js';
import { builtInFunctionsDir } from '../dist/paths.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MIB = arg('--mib', 1);
const N = arg('-n', 200);
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts clock ticks (USER_HZ = 100 on Linux)

async function descendants(pid) {
  const found = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) found.push(Number(entry), ...(await descendants(Number(entry))));
  }
  return found;
}

async function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * TICK_MS;
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-payload-cpu-'));
const engine = await Engine.create({ cacheDir: path.join(workDir, 'cache') });
await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
engine.functions.updateConfiguration('hello-node', { memorySize: 1769 });
const server = await startLambdaServer(engine, { port: 0, dataDir: path.join(workDir, 'data') });
const client = new LambdaClient({
  endpoint: server.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const payload = Buffer.from(JSON.stringify({ echo: 'x'.repeat(MIB * 1024 * 1024) }));
const echo = () => client.send(new InvokeCommand({ FunctionName: 'hello-node', Payload: payload }));
for (let i = 0; i < 50; i++) await echo();
const runtime = await descendants(process.pid);
const ownBefore = process.cpuUsage();
const runtimeBefore = await cpuMs(runtime);
const started = performance.now();
for (let i = 0; i < N; i++) await echo();
const wallMs = (performance.now() - started) / N;
const own = process.cpuUsage(ownBefore);
const runtimeMs = ((await cpuMs(runtime)) - runtimeBefore) / N;
client.destroy();
await server.close();
await engine.close();
await rm(workDir, { recursive: true, force: true });
const ownMs = (own.user + own.system) / 1000 / N;
console.log(
  `${MIB} MiB echo, ${N} calls: wall ${wallMs.toFixed(2)} ms each; CPU per call: engine's process (API, engine, SDK client) ${ownMs.toFixed(2)} ms, runtime's process ${runtimeMs.toFixed(2)} ms`,
);
