import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVisualizationUrl } from '../src/report/visualization.js';
import { chooseBest } from '../src/tuner/strategy.js';
import type { TuneResult } from '../src/tuner/types.js';
import { runLambench } from './helpers/cli.js';

let cwd: string;

const lambench = (args: string[], env: Record<string, string> = {}) => runLambench(args, cwd, env);

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-cli-'));
  await writeFile(path.join(cwd, 'infinite-weight.json'), '[{"payload": {}, "weight": 1e999}, {"payload": {}}]');
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('lambench CLI', () => {
  it('invoke --json prints the documented object', async () => {
    const { code, stdout } = await lambench([
      'invoke',
      'hello-node',
      '--memory',
      '256',
      '--payload',
      '{"echo":"hi"}',
      '--json',
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({
      function: 'hello-node',
      memoryMB: 256,
      cold: true,
      functionError: null,
      errorType: null,
    });
    expect(out.payload.echo).toBe('hi');
    expect(Object.keys(out.report).sort()).toEqual([
      'billedDurationMs',
      'durationMs',
      'initDurationMs',
      'maxMemoryUsedMB',
      'memorySizeMB',
    ]);
    expect(['cgroup-v1', 'cgroup-v2', 'none']).toContain(out.isolation);
    expect(typeof out.cpuCapped).toBe('boolean');
  });

  it.each([
    [['invoke', 'no-such-fn'], /Unknown function "no-such-fn"/],
    [['invoke', 'hello-node', '--memory', '64'], /MemorySize 64 is not valid/],
    [['invoke', 'hello-node', '--payload', '{oops'], /not valid JSON/],
    [['invoke', 'hello-node', '--payload', '@/nope/event.json'], /Cannot read payload file/],
    [['tune', 'cpu-node', '--memory', '128,99999'], /"99999" is not valid/],
    [['tune', 'cpu-node', '-n', '0'], /-n must be/],
    [['tune', 'cpu-node', '--strategy', 'fastest'], /Unknown strategy/],
    [['tune', 'hello-node', '--payloads-file', 'infinite-weight.json'], /weight Infinity; weights must be finite/],
    [['frobnicate'], /unknown command/],
  ])('rejects %j with exit code 2 and a clear message', async (args, message) => {
    const { code, stderr } = await lambench(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('tune --json: durations fall with memory, best follows the strategy, the URL decodes to the same data', async () => {
    const out = path.join(cwd, 'run');
    const { code, stdout } = await lambench([
      'tune',
      'cpu-node',
      '--memory',
      '128,512,1769',
      '-n',
      '3',
      '--payload',
      '{"iterations":20000000}',
      '--strategy',
      'speed',
      '--json',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as TuneResult;
    const p50 = result.configs.map((c) => c.durationMs?.p50 ?? 0);
    if (result.environment.isolation !== 'none') {
      expect(p50[0]).toBeGreaterThan(p50[1] ?? 0);
      expect(p50[1]).toBeGreaterThan(p50[2] ?? 0);
    }
    expect(result.best?.memoryMB).toBe(chooseBest(result.configs, { strategy: 'speed' })?.memoryMB);
    expect(decodeVisualizationUrl(result.visualization).map((v) => v.memoryMB)).toEqual([128, 512, 1769]);
    for (const file of ['result.json', 'invocations.jsonl', 'report.html', 'summary.md', 'results.csv']) {
      expect((await readFile(path.join(out, file), 'utf8')).length).toBeGreaterThan(10);
    }
    const compared = await lambench(['compare', out, path.join(out, 'result.json'), '--out', path.join(cwd, 'c.html')]);
    expect(compared.code).toBe(0);
    expect(await readFile(path.join(cwd, 'c.html'), 'utf8')).toContain('lambench comparison');
  });

  it('tune --resume continues with the saved plan and refuses options that contradict it', async () => {
    const out = path.join(cwd, 'resume');
    const first = await lambench([
      'tune',
      'hello-node',
      '--memory',
      '128,256',
      '-n',
      '2',
      '--warmup',
      '0',
      '--out',
      out,
    ]);
    expect(first.code).toBe(0);
    const conflict = await lambench(['tune', 'hello-node', '--resume', '--out', out, '-n', '3', '--memory', '512']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/--memory 512 \(saved: 128,256\); -n 3 \(saved: 2\)/);
    const resumed = await lambench(['tune', 'hello-node', '--resume', '--out', out, '-n', '2', '--json']);
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout) as TuneResult;
    expect(result.configs.map((c) => [c.memoryMB, c.invocations])).toEqual([
      [128, 2],
      [256, 2],
    ]);
  });

  it('doctor names the isolation and the runtimes', async () => {
    const { code, stdout } = await lambench(['doctor', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(['cgroup-v1', 'cgroup-v2', 'none']).toContain(report.isolation.kind);
    expect(report.runtimes.map((r: { family: string }) => r.family)).toContain('nodejs');
  });

  it("says what to install when a workload's toolchain is missing", async () => {
    const noCargo = await lambench(['invoke', 'hello-rust', '--json'], { PATH: '/usr/bin:/bin' });
    expect(noCargo.code).toBe(1);
    expect(noCargo.stderr).toMatch(/cargo was not found/);
    expect(noCargo.stderr).toMatch(/hint: Install Rust/);
    const noPython = await lambench(['invoke', 'hello-python', '--json'], { LAMBENCH_PYTHON: '/nonexistent/python3' });
    expect(noPython.code).toBe(1);
    expect(noPython.stderr).toMatch(/needs Python .* which was not found/);
    expect(noPython.stderr).toMatch(/hint: Install Python/);
  });
});
