import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliOutcome } from './helpers/cli.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const template = path.join(projectRoot, 'test', 'fixtures', 'sam-app', 'template.yaml');
let project: string;

/** `npx lambench …` in a project that has lambench installed (a link to this checkout), as a CI job runs it. */
const npx = (args: string[], cwd = project) =>
  new Promise<CliOutcome>((resolve) => {
    const child = spawn('npx', ['--no', 'lambench', ...args], { cwd, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), 'lambench-project-'));
  await mkdir(path.join(project, 'node_modules', '.bin'), { recursive: true });
  await symlink(projectRoot, path.join(project, 'node_modules', 'lambench'), 'dir');
  await symlink('../lambench/bin/lambench.js', path.join(project, 'node_modules', '.bin', 'lambench'));
  // Reuse the checkout's warm caches (boto3 for python3.12, the esbuild output) instead of building them again.
  await mkdir(path.join(project, '.lambench'));
  // On a fresh clone the checkout's cache may not exist yet: a dangling link would make every mkdir under it fail.
  await mkdir(path.join(projectRoot, '.lambench', 'cache'), { recursive: true });
  await symlink(path.join(projectRoot, '.lambench', 'cache'), path.join(project, '.lambench', 'cache'), 'dir');
  await writeFile(path.join(project, 'package.json'), '{"name": "my-service", "private": true, "type": "module"}');
  await writeFile(
    path.join(project, 'lambench.config.ts'),
    `import { defineConfig } from 'lambench';

const sizes: number[] = [128, 256];

export default defineConfig({
  template: ${JSON.stringify(template)},
  function: 'PyFunction',
  memory: sizes,
  payload: { from: 'config' },
  strategy: 'speed',
  tune: { n: 2, warmup: 0, json: true, parameterOverrides: { Stage: 'prod' }, out: 'results/tune' },
  invoke: { memory: 384, json: true },
  check: { baseline: 'baseline', threshold: '50%', json: true },
});
`,
  );
});
afterAll(() => rm(project, { recursive: true, force: true }));

describe('lambench.config.ts', () => {
  it('runs `npx lambench tune` with no flags at all', async () => {
    const outcome = await npx(['tune']);
    expect(outcome.stderr).not.toMatch(/error/);
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result.function).toBe('PyFunction');
    expect(result.strategy).toBe('speed');
    expect(result.configs.map((c: { memoryMB: number; invocations: number }) => [c.memoryMB, c.invocations])).toEqual([
      [128, 2],
      [256, 2],
    ]);
    expect(await readdir(path.join(project, 'results', 'tune'))).toContain('result.json');
  }, 120_000);

  it('lets flags typed on the command line override it', async () => {
    const outcome = await npx(['tune', '--memory', '512', '-n', '1', '--strategy', 'cost', '--out', 'results/flags']);
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result.strategy).toBe('cost');
    expect(result.configs.map((c: { memoryMB: number }) => c.memoryMB)).toEqual([512]);
  }, 120_000);

  it("gives invoke its own section's memory, the shared payload and template, and --parameter-overrides from tune's section only", async () => {
    const outcome = await npx(['invoke']);
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result.memoryMB).toBe(384);
    // tune's parameter-overrides (Stage=prod) are tune's: invoke sees the template's default.
    expect(result.payload.stage).toBe('dev');
    const flagged = JSON.parse((await npx(['invoke', 'NodeFunction', '--memory', '1024'])).stdout);
    expect(flagged.function).toBe('NodeFunction');
    expect(flagged.memoryMB).toBe(1024);
  }, 120_000);

  it("takes tune --input's lambdaARN over the config file's function", async () => {
    const input = path.join(project, 'input.json');
    await writeFile(
      input,
      JSON.stringify({
        lambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:NodeFunction',
        num: 5,
        powerValues: [128],
      }),
    );
    const outcome = await npx(['tune', '--input', input, '--out', 'results/input']);
    expect(outcome.stderr).not.toMatch(/error/);
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout).function).toBe('NodeFunction');
  }, 120_000);

  it('runs the regression gate as `npx lambench check` with no flags (baseline, threshold, function from the file)', async () => {
    const baseline = await npx(['tune', '--memory', '256', '-n', '8', '--out', 'baseline']);
    expect(baseline.code).toBe(0);
    const outcome = await npx(['check']);
    expect(outcome.stderr).not.toMatch(/error/);
    expect(outcome.code).toBe(0);
    const report = JSON.parse(outcome.stdout);
    expect(report.function).toBe('PyFunction');
    expect(report.threshold).toBe(0.5);
    expect(report.regressed).toBe(false);
    const duration = report.sizes[0].metrics.find((m: { metric: string }) => m.metric === 'duration');
    expect(report.sizes[0].memoryMB).toBe(256);
    // Eight invocations a side: a real verdict, not "too few".
    expect(duration.baseline.n).toBe(8);
    expect(duration.candidate.n).toBe(8);
    expect(duration.verdict).not.toMatch(/few/);
  }, 180_000);

  it('lambench config prints the resolved configuration and its file', async () => {
    const outcome = await npx(['config', '--json']);
    expect(outcome.code).toBe(0);
    const resolved = JSON.parse(outcome.stdout);
    expect(resolved.file).toBe(path.join(project, 'lambench.config.ts'));
    expect(resolved.commands.tune).toMatchObject({
      memory: [128, 256],
      n: 2,
      'parameter-overrides': { Stage: 'prod' },
    });
    expect(resolved.commands.invoke).toMatchObject({ memory: 384, function: 'PyFunction' });
    const text = await npx(['config', 'tune']);
    expect(text.stdout).toContain(`config file: ${path.join(project, 'lambench.config.ts')}`);
  }, 60_000);

  it('names a mistake in the file and exits 2; --no-config and --config FILE choose another', async () => {
    await writeFile(path.join(project, 'typo.json'), JSON.stringify({ tune: { precison: '5%' } }));
    const typo = await npx(['tune', '--config', 'typo.json']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('typo.json: tune.precison: lambench tune has no --precison flag.');
    const none = await npx(['config', '--no-config']);
    expect(none.stdout).toContain('No config file');
  }, 60_000);
});
