import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListAliasesCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVisualizationUrl } from '../src/report/visualization.js';
import { lambenchBin, runLambench } from './helpers/cli.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const fixtures = path.join(projectRoot, 'test', 'fixtures', 'powertuning');
const template = path.join(fixtures, 'template.yaml');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-pt-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const readJsonl = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('tune --input on the local engine', () => {
  it("runs PowerTuning's README example as is and writes its output's shape", async () => {
    const out = path.join(dir, 'readme');
    const input = path.join(fixtures, 'readme-example.json');
    const outcome = await runLambench(['tune', '--input', input, '--template', template, '--out', out], projectRoot);
    expect(outcome.stderr).not.toMatch(/error/);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`PowerTuning output: ${path.join(out, 'powertuning.json')}`);
    const output = JSON.parse(await readFile(path.join(out, 'powertuning.json'), 'utf8'));
    expect(Object.keys(output)).toEqual(['power', 'cost', 'duration', 'stateMachine']);
    expect(Object.keys(output.stateMachine)).toEqual(['executionCost', 'lambdaCost', 'visualization']);
    expect([128, 256, 512, 1024]).toContain(output.power);
    // 6 + 3 × 4 sizes Step Functions transitions at $0.000025: the README's own figure.
    expect(output.stateMachine.executionCost).toBe(0.00045);
    const points = decodeVisualizationUrl(output.stateMachine.visualization);
    expect(points.map((p) => p.memoryMB)).toEqual([128, 256, 512, 1024]);
    // num: 50 per size, no warm-up (PowerTuning has none).
    const records = await readJsonl(path.join(out, 'invocations.jsonl'));
    expect(records).toHaveLength(200);
    expect(records.filter((r) => r.warmup)).toHaveLength(0);
    // The chosen size's cost recomputed from the invocations by PowerTuning's formula (cost strategy, 20 % trimmed).
    const billed = records
      .filter((r) => r.memoryMB === output.power)
      .map((r) => r.billedDurationMs)
      .sort((a, b) => a - b)
      .slice(10, 40);
    const mean = billed.reduce((a, b) => a + b, 0) / billed.length;
    expect(output.cost).toBeCloseTo(Math.ceil(mean) * ((0.0000166667 * 0.125) / 1000) * (output.power / 128), 15);
    const cheapest = Math.min(...points.map((p) => p.costUSD));
    expect(points.find((p) => p.memoryMB === output.power)?.costUSD).toBeCloseTo(cheapest, 12);
    // lambench's own result judges a PowerTuning input by PowerTuning's rule too: no tolerance.
    const result = JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8'));
    expect(result.tolerance).toBe(0);
  }, 120_000);

  it('sends weighted payloads in their counts through the pre- and post-processors', async () => {
    const out = path.join(dir, 'weighted');
    const input = path.join(dir, 'weighted.json');
    const readmeWeighted = JSON.parse(await readFile(path.join(fixtures, 'weighted.json'), 'utf8'));
    await writeFile(input, JSON.stringify({ ...readmeWeighted, powerValues: [128, 256] }));
    const outcome = await runLambench(
      ['tune', '--input', input, '--template', template, '--out', out, '--output-format', 'powertuning', '--json'],
      projectRoot,
    );
    expect(outcome.stderr).not.toMatch(/error/);
    expect(outcome.code).toBe(0);
    // --output-format powertuning --json: PowerTuning's output on stdout, with includeOutputResults' stats.
    const output = JSON.parse(outcome.stdout);
    expect(output.stats.map((s: { value: number }) => s.value)).toEqual([128, 256]);
    const records = await readJsonl(path.join(out, 'invocations.jsonl'));
    const count = (name: string) => records.filter((r) => r.payloadName === name && r.memoryMB === 128).length;
    // weights 5, 15, 30 of num 10: 1, 3, 6.
    expect([count('payload-1'), count('payload-2'), count('payload-3')]).toEqual([1, 3, 6]);
    // PtPost fails unless the function got PtPre's output: a clean run means both processors ran as PowerTuning's do.
    expect(records.every((r) => r.errorType === null)).toBe(true);
  }, 120_000);

  it('stops on a failing pre-processor, as the state machine does, after writing what it measured', async () => {
    const out = path.join(dir, 'broken');
    const input = path.join(dir, 'broken.json');
    await writeFile(
      input,
      JSON.stringify({
        lambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:PtTarget',
        powerValues: [128],
        num: 5,
        payload: { breakPre: true },
        preProcessorARN: 'arn:aws:lambda:us-east-1:123456789012:function:PtPre',
      }),
    );
    const outcome = await runLambench(['tune', '--input', input, '--template', template, '--out', out], projectRoot);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('PreProcessor arn:aws:lambda:us-east-1:123456789012:function:PtPre failed');
    expect(outcome.stderr).toContain('pre-processor broken on purpose');
    const result = JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8'));
    expect(result.configs[0].failure.message).toContain('PreProcessor');
  }, 60_000);
});

describe('tune --input --target aws (against lambench serve)', () => {
  let serve: ChildProcess;
  let endpoints: { lambda: string; s3: string };
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  beforeAll(async () => {
    serve = spawn(
      process.execPath,
      [
        lambenchBin,
        'serve',
        '--template',
        template,
        '--port',
        '0',
        '--json',
        '--quiet',
        '--data-dir',
        path.join(dir, 'data'),
      ],
      { cwd: projectRoot },
    );
    endpoints = await new Promise((resolve, reject) => {
      let text = '';
      serve.stdout?.on('data', (c) => {
        text += c;
        if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0] ?? '{}'));
      });
      serve.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
  }, 60_000);

  afterAll(async () => {
    serve?.kill('SIGINT');
    if (serve && serve.exitCode === null) await new Promise((resolve) => serve.once('exit', resolve));
  });

  it('reads payloadS3, counts allowedExceptions as results, and autoOptimizes into the alias', async () => {
    const s3 = new S3Client({ endpoint: endpoints.s3, forcePathStyle: true, region: 'us-east-1', credentials });
    await s3.send(new CreateBucketCommand({ Bucket: 'payloads' }));
    const weighted = [
      { payload: { fail: 'yes' }, weight: 1 },
      { payload: { ok: true }, weight: 4 },
    ];
    await s3.send(
      new PutObjectCommand({ Bucket: 'payloads', Key: 'events/mixed.json', Body: JSON.stringify(weighted) }),
    );
    s3.destroy();
    const functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:PtTarget';
    const input = path.join(dir, 'aws.json');
    await writeFile(
      input,
      JSON.stringify({
        lambdaARN: functionArn,
        powerValues: [128, 256],
        num: 5,
        payloadS3: 's3://payloads/events/mixed.json',
        allowedExceptions: ['AllowedError'],
        strategy: 'speed',
        autoOptimize: true,
        autoOptimizeAlias: 'optimal',
      }),
    );
    const out = path.join(dir, 'aws');
    const env = {
      AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const outcome = await runLambench(['tune', '--input', input, '--target', 'aws', '--out', out], projectRoot, env);
    expect(outcome.stderr).not.toMatch(/error/);
    expect(outcome.code).toBe(0);
    const records = await readJsonl(path.join(out, 'invocations.jsonl'));
    expect(records).toHaveLength(10);
    expect(records.filter((r) => r.errorType === 'AllowedError' && r.allowedError)).toHaveLength(2);
    const output = JSON.parse(await readFile(path.join(out, 'powertuning.json'), 'utf8'));
    const lambda = new LambdaClient({ endpoint: endpoints.lambda, region: 'us-east-1', credentials });
    try {
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'PtTarget', Name: 'optimal' }));
      const config = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'PtTarget', Qualifier: 'optimal' }),
      );
      expect(config.Version).toBe(alias.FunctionVersion);
      expect(config.MemorySize).toBe(output.power);
      const latest = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'PtTarget' }));
      expect(latest.MemorySize).toBe(output.power);
      // lambench's own per-size aliases are gone; the user's stays.
      const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: 'PtTarget' }));
      expect(aliases.Aliases?.map((a) => a.Name)).toEqual(['optimal']);
    } finally {
      lambda.destroy();
    }
  }, 180_000);
});
