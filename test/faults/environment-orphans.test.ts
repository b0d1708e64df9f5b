import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { builtInFunctionsDir } from '../../src/paths.js';

/**
 * Issue 12, item 10: with `--isolation none` no cgroup outlives a SIGKILLed engine for the next one to clean, so
 * its runtimes must die with it: an idle Python runtime (frozen by SIGSTOP) and a Node runtime busy printing (whose
 * stdout is then a broken pipe). A child process using the built library (dist/) plays the engine.
 */
const dist = fileURLToPath(new URL('../../dist/engine/engine.js', import.meta.url));

let workDir: string;
const workDirs: string[] = [];
let engineProcess: ChildProcess | undefined;
const survivors: number[] = [];

/** pid → [ppid, state, command] for every process. */
function processTable(): Map<number, { ppid: number; state: string; args: string }> {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  const table = new Map<number, { ppid: number; state: string; args: string }>();
  for (const line of out.trim().split('\n')) {
    const [pid, ppid, state, ...args] = line.trim().split(/\s+/);
    table.set(Number(pid), { ppid: Number(ppid), state: state ?? '', args: args.join(' ') });
  }
  return table;
}

function descendantsOf(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [pid, info] of table) {
      if (info.ppid === parent && !info.state.startsWith('Z')) {
        found.push(pid);
        walk(pid);
      }
    }
  };
  walk(root);
  return found;
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

afterAll(async () => {
  if (engineProcess?.exitCode === null) engineProcess.kill('SIGKILL');
  // Whatever a failed run left behind (processes this test started, by pid).
  for (const pid of survivors.filter(alive)) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  for (const dir of workDirs) await rm(dir, { recursive: true, force: true });
});

/** A child process playing the engine (dist/), with an idle (frozen) Python runtime and a busy Node one. */
async function engineWithRuntimes() {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-orphans-'));
  workDirs.push(workDir);
  const python = path.join(workDir, 'idle-python');
  const node = path.join(workDir, 'chatty-node');
  await mkdir(python, { recursive: true });
  await mkdir(node, { recursive: true });
  await writeFile(path.join(python, 'handler.py'), 'def handler(event, context):\n    return "idle"\n');
  await writeFile(
    path.join(python, 'function.json'),
    JSON.stringify({ name: 'idle-python', runtime: 'python3.12', handler: 'handler.handler' }),
  );
  await writeFile(
    path.join(node, 'index.mjs'),
    'export const handler = () => new Promise(() => setInterval(() => console.log("still here"), 20));',
  );
  await writeFile(
    path.join(node, 'function.json'),
    JSON.stringify({ name: 'chatty-node', runtime: 'nodejs20.x', handler: 'index.handler', timeout: 120 }),
  );
  const script = path.join(workDir, 'engine.mjs');
  await writeFile(
    script,
    `import { Engine } from ${JSON.stringify(dist)};
       const engine = await Engine.create({ isolation: 'none', cacheDir: ${JSON.stringify(path.join(workDir, 'cache'))} });
       await engine.functions.registerFolder(${JSON.stringify(python)});
       await engine.functions.registerFolder(${JSON.stringify(node)});
       await engine.invoke({ functionName: 'idle-python', payload: '{}' });
       void engine.invoke({ functionName: 'chatty-node', payload: '{}' });
       await new Promise((r) => setTimeout(r, 1000));
       process.stdout.write('ready\\n');
       await new Promise(() => {});`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  engineProcess = child;
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the engine exited early (${code})`)));
  });
  const table = processTable();
  const runtimes = descendantsOf(child.pid as number);
  survivors.push(...runtimes);
  const pythonRuntime = runtimes.find((pid) => table.get(pid)?.args.includes('bootstrap.py'));
  const nodeRuntime = runtimes.find((pid) => table.get(pid)?.args.includes('bootstrap.mjs'));
  expect(pythonRuntime).toBeDefined();
  expect(nodeRuntime).toBeDefined();
  // The scenario: the idle Python runtime is frozen (SIGSTOP), the Node one runs.
  expect(table.get(pythonRuntime as number)?.state).toMatch(/^T/);
  return { child, runtimes, table, pythonRuntime: pythonRuntime as number };
}

describe('a SIGKILLed engine under isolation none (issue 12, item 10)', () => {
  it('leaves no runtime behind: a frozen Python one and a Node one printing both die within 10 s', async () => {
    const { child, runtimes } = await engineWithRuntimes();
    child.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && runtimes.some(alive)) await new Promise((r) => setTimeout(r, 100));
    const left = runtimes.filter(alive).map((pid) => `${pid} ${processTable().get(pid)?.args}`);
    expect(left).toEqual([]);
  }, 60_000);

  it('without its watchdog, the next engine kills what a dead engine left (pid files, start time checked)', async () => {
    const { child, runtimes, table, pythonRuntime } = await engineWithRuntimes();
    // As on a host without setsid: nothing but the next engine is left to clean up.
    for (const pid of descendantsOf(child.pid as number)) {
      if (table.get(pid)?.args.includes('read -r _ <&4')) process.kill(pid, 'SIGKILL');
    }
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    expect(alive(pythonRuntime)).toBe(true); // frozen, and nothing else would ever end it
    const next = await Engine.create({ isolation: 'none', cacheDir: path.join(workDir, 'cache') });
    await next.close();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && runtimes.some(alive)) await new Promise((r) => setTimeout(r, 100));
    expect(runtimes.filter(alive)).toEqual([]);
  }, 60_000);

  it('stands each watchdog down when its environment is destroyed normally: none is left after close', async () => {
    const watchdogs = () =>
      [...processTable().values()].filter((p) => p.args.includes('read -r _ <&4') && !p.state.startsWith('Z')).length;
    const before = watchdogs();
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-orphans-cache-'));
    const engine = await Engine.create({ isolation: 'none', cacheDir });
    try {
      await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'hello', 'node'));
      for (let i = 0; i < 3; i++) await engine.invoke({ functionName: 'hello-node', payload: '{}', forceCold: true });
      expect(watchdogs() - before).toBe(3);
    } finally {
      await engine.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && watchdogs() > before) await new Promise((r) => setTimeout(r, 50));
    expect(watchdogs()).toBe(before);
  });
});
