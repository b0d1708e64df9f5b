import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { TMP_ROOT } from '../../src/sandbox/tmp.js';
import { lambenchBin, runLambench } from '../helpers/cli.js';
import { cgroupsOf, descendants } from './leftovers.js';
import { type MatrixContext, matrixCase, runMatrix } from './matrix.js';

/**
 * The fault matrix, the CLI as a user runs it (the built dist/: `npx tsc -p tsconfig.build.json` first). Besides the
 * wrapper's checks on this process, a CLI that ran its own engine must leave none of its processes, cgroups or
 * /tmp images once it has exited.
 */
const cwd = async (ctx: MatrixContext) => {
  const dir = path.join(ctx.fixtures, 'cli');
  await mkdir(dir, { recursive: true });
  return dir;
};

const pidOf = (line: string) => Number(line.split(' ')[0]);
/** Which of these processes (`pid state command` lines) still run, 10 s after their engine exited (see settled). */
async function stillAlive(processes: string[]): Promise<string[]> {
  const running = () =>
    processes.filter((line) => {
      try {
        return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pidOf(line)}/stat`, 'utf8'));
      } catch {
        return false;
      }
    });
  for (let i = 0; i < 200 && running().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return running();
}

/** Starts `lambench invoke` of a sleeping hello-node, SIGINTs it once its runtime runs, and reports what is left. */
async function interruptedInvoke(ctx: MatrixContext) {
  const args = [lambenchBin, 'invoke', 'hello-node', '--payload', '{"sleepMs":60000}', '--json'];
  const child = spawn(process.execPath, args, { cwd: await cwd(ctx) });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const pid = child.pid as number;
  let runtimes: number[] = [];
  for (let i = 0; i < 300 && runtimes.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    runtimes = descendants(pid)
      .filter((line) => line.includes('bootstrap'))
      .map(pidOf);
  }
  const everything = descendants(pid);
  // The handler is sleeping when the signal arrives: the invocation has been handed over.
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const code = await exited;
  return {
    code,
    stderr,
    runtimes,
    alive: await stillAlive(everything),
    cgroups: cgroupsOf(pid, { withEngineFolder: true }),
    tmp: existsSync(path.join(TMP_ROOT, `lambench-${pid}`)),
  };
}

runMatrix('fault matrix: the CLI', [
  matrixCase({
    surface: 'cli',
    name: '`invoke <unknown>` exits 2 naming the function and the known ones',
    act: async (ctx) => runLambench(['invoke', 'no-such-function'], await cwd(ctx)),
    expect: ({ code, stderr }) => {
      expect(code).toBe(2);
      expect(stderr).toMatch(/^error: Unknown function "no-such-function"\.\nhint: Known functions: .*hello-node/);
    },
  }),
  matrixCase({
    surface: 'cli',
    name: 'a bad --payload exits 2 with how to quote it',
    act: async (ctx) => runLambench(['invoke', 'hello-node', '--payload', '{oops'], await cwd(ctx)),
    expect: ({ code, stderr }) => {
      expect(code).toBe(2);
      expect(stderr).toMatch(/^error: The payload is not valid JSON: .*\nhint: Quote it for your shell/);
    },
  }),
  matrixCase({
    surface: 'cli',
    name: '`invoke` interrupted with SIGINT exits 130, leaving no runtime, cgroup or /tmp image',
    act: interruptedInvoke,
    expect: ({ code, stderr, runtimes, alive, cgroups, tmp }) => {
      expect(runtimes, stderr).toHaveLength(1);
      expect(code, stderr).toBe(130);
      expect(stderr).toMatch(/Interrupted/);
      expect(alive).toEqual([]);
      expect(cgroups).toEqual([]);
      expect(tmp).toBe(false);
    },
  }),
]);
