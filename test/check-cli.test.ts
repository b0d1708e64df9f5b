import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../src/report/check.js';
import type { TuneResult } from '../src/tuner/types.js';
import { runLambench } from './helpers/cli.js';

let cwd: string;
const lambench = (args: string[], env: Record<string, string> = {}) => runLambench(args, cwd, env);
const payload = (iterations: number) => JSON.stringify({ iterations });
const baseline = () => path.join(cwd, 'baseline');

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-check-'));
  // Small work at 2 sizes keeps this fast; 8 measured invocations give each median a real 95 % CI.
  const args = ['tune', 'cpu-node', '--memory', '1024,1769', '-n', '8', '--payload', payload(4_000_000)];
  const { code, stderr } = await lambench([...args, '--seed', '5', '--out', baseline()]);
  expect(code, stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('lambench check', () => {
  it('passes a run checked against itself, and appends its Markdown to $GITHUB_STEP_SUMMARY', async () => {
    const summary = path.join(cwd, 'summary.md');
    await writeFile(summary, '# earlier step\n');
    const { code, stdout } = await lambench(['check', baseline(), '--baseline', path.join(baseline(), 'result.json')], {
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(code).toBe(0);
    expect(stdout).toContain('**PASS**');
    expect(stdout).toMatch(
      /\| 1024 \| duration ms \(median\) \| [\d.]+ \| [\d.]+ \| 1\.000 \[[\d.]+–[\d.]+\] \| (within ±5 %|inconclusive) \|/,
    );
    const written = await readFile(summary, 'utf8');
    expect(written.startsWith('# earlier step\n## lambench check: cpu-node')).toBe(true);
  });

  it('re-measures with the saved plan: 3× the work exits 1 naming the sizes; a threshold above it exits 0', async () => {
    const out = path.join(cwd, 'heavier');
    const args = ['check', 'cpu-node', '--baseline', baseline(), '--payload', payload(12_000_000), '--out', out];
    const { code, stdout, stderr } = await lambench([...args, '--json']);
    expect(code, stderr).toBe(1);
    const report = JSON.parse(stdout) as CheckReport;
    expect(report.regressedSizes).toEqual([1024, 1769]);
    expect(stderr).toMatch(/regression: Regressed beyond \+5 %: 1024 MB \(duration.*\); 1769 MB \(duration/);
    for (const size of report.sizes) {
      const duration = size.metrics.find((m) => m.metric === 'duration')!;
      expect(duration.low).toBeGreaterThan(1.05);
      expect(duration.candidate.n).toBe(8);
      // One cold start per side: shown, not judged.
      expect(size.metrics.find((m) => m.metric === 'coldStart')?.verdict).toBe('too-few');
    }
    // The new run used the baseline's plan (sizes, n, warm-up, order) with the new payload.
    const measured = JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8')) as TuneResult;
    expect(measured.configs.map((c) => [c.memoryMB, c.invocations])).toEqual([
      [1024, 8],
      [1769, 8],
    ]);
    expect(measured.sampling?.order).toBe('interleaved');
    // The same two runs, with a threshold above the change: nothing regressed beyond it.
    const lenient = await lambench(['check', out, '--baseline', baseline(), '--threshold', '400%']);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toContain('**PASS** — No regression beyond +400 %');
  });

  it('--paired measures the baseline plan and the candidate in the same rounds, and names the regressed sizes', async () => {
    const out = path.join(cwd, 'paired');
    const args = ['check', 'cpu-node', '--paired', '--baseline', baseline(), '--payload', payload(12_000_000)];
    const { code, stdout, stderr } = await lambench([...args, '--out', out, '--json']);
    expect(code, stderr).toBe(1);
    const report = JSON.parse(stdout) as CheckReport;
    expect(report.regressedSizes).toEqual([1024, 1769]);
    expect(report.baseline).toMatch(/its plan, measured again alongside, seed \d+/);
    const lines = async (file: string) => (await readFile(path.join(out, file), 'utf8')).trim().split('\n');
    // Each side: the baseline's plan, 8 measured + 1 warm-up per size.
    expect(await lines('baseline.jsonl')).toHaveLength(18);
    expect(await lines('candidate.jsonl')).toHaveLength(18);
    expect((await lines('baseline.jsonl')).map((l) => JSON.parse(l).payloadName)).toContain('payload');
  });

  it('exits 2 on bad input, naming what is wrong', async () => {
    const bare = path.join(cwd, 'bare');
    await rm(bare, { recursive: true, force: true });
    const { code } = await lambench([
      'tune',
      'hello-node',
      '--memory',
      '128',
      '-n',
      '1',
      '--warmup',
      '0',
      '--out',
      bare,
    ]);
    expect(code).toBe(0);
    await unlink(path.join(bare, 'progress.json'));
    const cases: Array<[string[], RegExp]> = [
      [['check', 'cpu-node'], /Missing --baseline/],
      [['check', 'cpu-node', '--baseline', path.join(cwd, 'nowhere')], /Cannot read the tune result .*ENOENT/],
      [['check', baseline(), '--baseline', baseline(), '--threshold', '5'], /--threshold must be a percentage/],
      [['check', 'hello-node', '--baseline', bare], /has no progress\.json/],
      [['check', bare, '--baseline', baseline()], /no memory size in common/],
      [['check', baseline(), '--baseline', baseline(), '--paired'], /--paired measures both sides now/],
    ];
    for (const [args, message] of cases) {
      const outcome = await lambench(args);
      expect(outcome.code, args.join(' ')).toBe(2);
      expect(outcome.stderr).toMatch(message);
    }
  });
});

describe('lambench tune --precision', () => {
  it('reports per size the n it needed and whether the precision was reached, and resumes with its plan', async () => {
    const out = path.join(cwd, 'adaptive');
    const args = ['tune', 'hello-node', '--memory', '128,256', '--payload', '{"sleepMs":20}', '--warmup', '0'];
    const sampling = ['--precision', '10%', '--min-n', '6', '--max-n', '15', '--seed', '3'];
    const { code, stdout, stderr } = await lambench([...args, ...sampling, '--json', '--out', out]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as TuneResult;
    expect(result.sampling).toEqual({ order: 'interleaved', seed: 3, precision: 0.1, minN: 6, maxN: 15 });
    expect(result.tolerance).toBe(0.05);
    for (const c of result.configs) {
      expect(c.sampling?.n).toBe(c.invocations);
      expect(c.invocations).toBeGreaterThanOrEqual(6);
      expect(c.invocations).toBeLessThanOrEqual(15);
      // Reached means the CI is within ±10 %; not reached happens only at max-n.
      if (c.sampling?.precisionReached) expect(c.sampling.ciHalfWidth).toBeLessThanOrEqual(0.1);
      else expect(c.invocations).toBe(15);
    }
    expect(await readFile(path.join(out, 'summary.md'), 'utf8')).toMatch(
      /\| precision \|[\s\S]*±[\d.]+ % (reached|not reached)/,
    );
    expect(await readFile(path.join(out, 'results.csv'), 'utf8')).toContain(
      'precisionTarget,precisionReached,ciHalfWidth',
    );
    expect(await readFile(path.join(out, 'report.html'), 'utf8')).toContain('<th>precision</th>');
    const conflict = await lambench(['tune', 'hello-node', '--resume', '--out', out, '--precision', '20%']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/--precision 0\.2 \(saved: 0\.1\)/);
    const resumed = await lambench(['tune', 'hello-node', '--resume', '--out', out, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as TuneResult).configs.map((c) => c.invocations)).toEqual(
      result.configs.map((c) => c.invocations),
    );
  });

  it('refuses sampling and decision options that contradict each other or make no sense (exit 2)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['-n', '5', '--precision', '5%'], /-n fixes the invocations per size, --precision/],
      [['--max-n', '50'], /--min-n and --max-n bound adaptive sampling: give --precision too/],
      [['--precision', '5'], /--precision must be a percentage or a fraction/],
      [['--precision', '5%', '--min-n', '20', '--max-n', '10'], /--max-n 10 is below --min-n 20/],
      [['--precision', '5%', '--parallel'], /cannot be combined with --parallel/],
      [['--order', 'random'], /--order must be sequential or interleaved/],
      [['--tolerance', '150%'], /--tolerance must be between 0 % and 100 %/],
      [['--tolerance', 'none'], /--tolerance must be a percentage or a fraction/],
    ];
    for (const [extra, message] of cases) {
      const outcome = await lambench(['tune', 'hello-node', '--memory', '128', ...extra]);
      expect(outcome.code, extra.join(' ')).toBe(2);
      expect(outcome.stderr).toMatch(message);
    }
  });
});
