import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentOutcome } from '../src/experiments/types.js';
import { runLambench } from './helpers/cli.js';

let cwd: string;
const lambench = (args: string[]) => runLambench(args, cwd);

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-run-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('lambench run', () => {
  it('names every experiment when asked for an unknown one', async () => {
    const { code, stderr } = await lambench(['run', 'no-such-experiment']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown experiment "no-such-experiment"/);
    for (const name of ['cpu', 'launch', 'csv-etl', 'fanout', 's3-download', 'api-calls', 'dedupe', 'onnx', 'all']) {
      expect(stderr).toContain(name);
    }
  });

  it('cpu --quick writes the index, the summary, the report and a tuner folder per variant', async () => {
    const out = path.join(cwd, 'results');
    const { code, stdout } = await lambench(['run', 'cpu', '--quick', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain(path.join(out, 'index.html'));
    const outcome = JSON.parse(await readFile(path.join(out, 'cpu', 'claims.json'), 'utf8')) as ExperimentOutcome;
    expect(outcome.claims.length).toBeGreaterThanOrEqual(2);
    for (const claim of outcome.claims) {
      expect(['reproduced', 'not reproduced', 'not run']).toContain(claim.verdict);
      expect(claim.measured).toMatch(/\d/);
    }
    expect(outcome.results.map((r) => r.function)).toEqual(['cpu-node threads ×2', 'cpu-node processes ×2']);
    for (const result of outcome.results) {
      expect(result.configs.every((c) => c.errors === 0 && (c.durationMs?.p50 ?? 0) > 0)).toBe(true);
    }
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('href="cpu/report.html"');
    expect(index).toMatch(/isolation (cgroup-v1|cgroup-v2|none)/);
    const summary = await readFile(path.join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('| claim | published | measured here | verdict | why |');
    const report = await readFile(path.join(out, 'cpu', 'report.html'), 'utf8');
    expect(report).toContain(outcome.claims[0]?.claim ?? 'missing');
    for (const file of ['result.json', 'invocations.jsonl', 'report.html', 'summary.md', 'results.csv']) {
      await expect(readFile(path.join(out, 'cpu', 'cpu-node-threads-2', file), 'utf8')).resolves.toBeTruthy();
    }
  }, 300_000);
});
