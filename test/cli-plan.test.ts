import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanResult } from '../src/planner/plan.js';
import { planHeadline } from '../src/planner/table.js';
import { fixture } from '../src/planner/test-helpers/fixture.js';
import { escapeHtml } from '../src/report/format.js';
import { runLambench } from './helpers/cli.js';

let cwd: string;
const run = path.join(os.tmpdir(), 'unused');

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-plan-'));
  const { result, records } = fixture('x86_64', { 512: 100, 1024: 60 });
  await writeFile(path.join(cwd, 'result.json'), JSON.stringify(result));
  await writeFile(path.join(cwd, 'invocations.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await writeFile(path.join(cwd, 'minutes.csv'), 'minute,count\n0,600\n1,1200\n2,0\n3,300\n');
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('lambench plan', () => {
  it('--json prints the plan and writes plan.json and plan.html beside the run', async () => {
    const { code, stdout, stderr } = await runLambench(
      ['plan', cwd, '--traffic', '20/s', '--budget', '20000', '--json'],
      cwd,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as PlanResult;
    expect(plan.traffic.invocationsPerMonth).toBe(20 * 730 * 3600);
    expect(new Set(plan.options.map((o) => `${o.model} ${o.architecture}`)).size).toBe(6);
    expect(plan.winner?.label).toBeTruthy();
    const saved = JSON.parse(await readFile(path.join(cwd, 'plan.json'), 'utf8')) as PlanResult;
    expect(saved.winner?.label).toBe(plan.winner?.label);
    const html = await readFile(path.join(cwd, 'plan.html'), 'utf8');
    expect(html).toContain('id="cost-traffic-chart"');
    expect(html).toContain('id="cold-traffic-chart"');
    expect(html).toContain(plan.winner?.label ?? 'none');
    // The run folder's dashboard card carries the plan's headline and a link to plan.html.
    const index = await readFile(path.join(cwd, 'index.html'), 'utf8');
    expect(index).toContain(`plan: ${escapeHtml(planHeadline(plan)?.text ?? '?')}</p>`);
    expect(index).toContain('<a href="plan.html">plan.html</a>');
  });

  it('prints the table for a CSV of per-minute counts into --out', async () => {
    const out = path.join(cwd, 'out');
    const { code, stdout } = await runLambench(
      [
        'plan',
        path.join(cwd, 'result.json'),
        '--traffic',
        '@minutes.csv',
        '--idle',
        '5-10',
        '--budget',
        '20000',
        '--out',
        out,
      ],
      cwd,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/4 minutes of per-minute counts/);
    expect(stdout).toMatch(/Idle eviction 5–10 min/);
    expect(stdout).toMatch(/Winner: /);
    await readFile(path.join(out, 'plan.html'), 'utf8');
    // --out elsewhere: no run folder there, so no dashboard is written.
    await expect(readFile(path.join(out, 'index.html'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('exits 2 on bad input, naming what was wrong', async () => {
    const noTraffic = await runLambench(['plan', cwd], cwd);
    expect(noTraffic.code).toBe(2);
    expect(noTraffic.stderr).toMatch(/plan needs --traffic/);
    const bad = await runLambench(['plan', cwd, '--traffic', 'lots'], cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--traffic "lots": "lots" is not a rate/);
    const missing = await runLambench(['plan', run, '--traffic', '1/s'], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read a tune result/);
    const idle = await runLambench(['plan', cwd, '--traffic', '1/s', '--idle', '15-5'], cwd);
    expect(idle.code).toBe(2);
    expect(idle.stderr).toMatch(/the shorter first/);
  });
});
