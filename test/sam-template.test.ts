// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation's ${…} in expected values.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEngine } from '../src/engine/index.js';
import { detectDriver } from '../src/sandbox/index.js';
import { registerTemplate } from '../src/template/index.js';
import { type AwsCli, awsCli } from './helpers/aws-cli.js';
import { lambenchBin, runLambench } from './helpers/cli.js';

const fixture = fileURLToPath(new URL('./fixtures/sam-app/', import.meta.url));
const template = path.join(fixture, 'template.yaml');
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' };
let cwd: string;
let serve: ChildProcess;
let lambdaEndpoint: string;
let client: LambdaClient;
let cli: AwsCli;

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-sam-'));
  cli = await awsCli();
  // From the project root, as the other CLI tests: its .lambench/cache (boto3 for python3.12, node binaries) is warm.
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
      path.join(cwd, 'data'),
    ],
    { cwd: projectRoot },
  );
  lambdaEndpoint = await new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    serve.stdout?.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '{}').lambda);
    });
    serve.stderr?.on('data', (c) => (err += c));
    serve.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  client = new LambdaClient({
    endpoint: lambdaEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}, 120_000);

afterAll(async () => {
  client?.destroy();
  serve?.kill('SIGINT');
  if (serve && serve.exitCode === null) await new Promise((resolve) => serve.once('exit', resolve));
  await rm(cwd, { recursive: true, force: true });
});

const invokeSdk = async (name: string, payload: unknown) => {
  const out = await client.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }),
  );
  expect(out.FunctionError).toBeUndefined();
  return {
    payload: JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')),
    log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8'),
  };
};

describe('serve --template: a drop-in for sam local start-lambda', () => {
  it('serves the Node.js ESM function (Globals, esbuild Metadata, a local layer) to the SDK under its LogicalId', async () => {
    const { payload, log } = await invokeSdk('NodeFunction', { name: 'sdk' });
    expect(payload).toMatchObject({
      message: 'hello, sdk (from the layer)',
      // Format: esm + OutExtension .js=.mjs: the bundle is an ES module.
      esm: true,
      memory: '512',
      env: {
        APP_NAME: 'sam-fixture',
        STAGE: 'dev',
        MODE: 'safe',
        PEER_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:PyFunction',
        TABLE: 'local-items-dev',
      },
    });
    expect(log).toMatch(/REPORT RequestId: .*Memory Size: 512 MB/);
    const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'NodeFunction' }));
    expect(config).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'app.handler',
      MemorySize: 512,
      Timeout: 10,
      EphemeralStorage: { Size: 1024 },
      Architectures: ['x86_64'],
    });
    const concurrency = await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'NodeFunction' }));
    expect(concurrency.ReservedConcurrentExecutions).toBe(5);
  });

  it('serves the Python function (Parameters, !Sub) to the AWS CLI, with its memory and CPU enforced', async () => {
    const event = path.join(cwd, 'event.json');
    const out = path.join(cwd, 'out.json');
    await writeFile(event, '{"from": "cli"}');
    const result = await cli.run(
      [
        'lambda',
        'invoke',
        '--function-name',
        'PyFunction',
        '--endpoint-url',
        lambdaEndpoint,
        '--payload',
        `fileb://${event}`,
        '--log-type',
        'Tail',
        out,
      ],
      credentials,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const meta = JSON.parse(result.stdout);
    expect(meta.StatusCode).toBe(200);
    expect(Buffer.from(meta.LogResult, 'base64').toString()).toMatch(/Memory Size: 256 MB/);
    const payload = JSON.parse(await readFile(out, 'utf8'));
    expect(payload).toMatchObject({
      greeting: 'hello from dev in us-east-1',
      tableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/local-items-dev',
      literal: '${NotResolved}',
      stage: 'dev',
      appName: 'sam-fixture',
      memory: '256',
      limitMB: '256',
      name: 'PyFunction',
    });
    const driver = await detectDriver('auto');
    if (driver.kind === 'none') {
      // Nothing limits a process here (doctor says why); the engine reports it in every result instead.
      expect(payload.cgroup).toEqual({});
    } else {
      // AWS's rule, read from inside the function: 256 MB of memory, 256/1769 of a vCPU.
      expect(payload.cgroup.memoryBytes).toBe(256 * 1024 * 1024);
      expect(payload.cgroup.cpu).toBeCloseTo(256 / 1769, 3);
    }
  });

  it('names the LogicalIds when asked for one the template does not have', async () => {
    const outcome = await runLambench(['invoke', '--template', template, 'Missing'], projectRoot);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('has no function "Missing"');
    expect(outcome.stderr).toContain('NodeFunction, PyFunction');
  });
});

describe('tune --template', () => {
  it('tunes one function of the template, with --parameter-overrides as sam takes them', async () => {
    const out = path.join(cwd, 'tune');
    const outcome = await runLambench(
      [
        'tune',
        '--template',
        template,
        'PyFunction',
        '--parameter-overrides',
        'ParameterKey=Stage,ParameterValue=prod',
        '--memory',
        '128,256',
        '-n',
        '2',
        '--json',
        '--out',
        out,
      ],
      projectRoot,
    );
    expect(outcome.stderr).not.toContain('error');
    expect(outcome.code).toBe(0);
    const result = JSON.parse(outcome.stdout);
    expect(result.function).toBe('PyFunction');
    expect(result.configs.map((c: { memoryMB: number }) => c.memoryMB)).toEqual([128, 256]);
    expect(result.configs.every((c: { errors: number }) => c.errors === 0)).toBe(true);
    const records = (await readFile(path.join(out, 'invocations.jsonl'), 'utf8')).trim().split('\n');
    expect(records.length).toBe(2 * 3);
  }, 120_000);
});

/**
 * `sam build` (PyPI aws-sam-cli, no containers, no AWS access) of the same template, then lambench on its output:
 * the built template must register the same functions with the same configuration, and answer the same.
 * Runs where LAMBENCH_SAM_CLI names the sam executable (pip install aws-sam-cli); esbuild must be on PATH for sam.
 */
const sam = process.env.LAMBENCH_SAM_CLI;
describe.skipIf(!sam)('sam build output', () => {
  it('registers what sam build wrote exactly as the unbuilt template', async () => {
    const copy = path.join(cwd, 'sam-copy');
    await cp(fixture, copy, { recursive: true });
    const bin = path.join(projectRoot, 'node_modules', '.bin');
    await new Promise<void>((resolve, reject) =>
      execFile(
        sam ?? 'sam',
        ['build'],
        { cwd: copy, env: { ...process.env, SAM_CLI_TELEMETRY: '0', PATH: `${bin}:${process.env.PATH}` } },
        (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()),
      ),
    );
    const engine = await createLocalEngine({ builtIns: false, functionRoots: [], isolation: 'none' });
    try {
      const cache = path.join(cwd, 'template-cache');
      await registerTemplate(engine, { file: path.join(copy, 'template.yaml') }, cache);
      const unbuilt = engine.functions
        .list()
        .map(({ codeDir, codeSha256, codeSize, revisionId, lastModified, ...m }) => m);
      const answers = [];
      for (const name of ['NodeFunction', 'PyFunction'])
        answers.push((await engine.invoke({ functionName: name, payload: '{}' })).payload.toString());
      await registerTemplate(engine, { file: path.join(copy, '.aws-sam', 'build', 'template.yaml') }, cache);
      const built = engine.functions
        .list()
        .map(({ codeDir, codeSha256, codeSize, revisionId, lastModified, ...m }) => m);
      expect(built).toEqual(unbuilt);
      // The built function runs sam's bundle (through the folder that links its layer in), not lambench's own build.
      const bundle = realpathSync(path.join(engine.functions.resolve('NodeFunction').codeDir, 'app.mjs'));
      expect(bundle).toBe(path.join(copy, '.aws-sam', 'build', 'NodeFunction', 'app.mjs'));
      for (const [i, name] of ['NodeFunction', 'PyFunction'].entries()) {
        const answer = (await engine.invoke({ functionName: name, payload: '{}', forceCold: true })).payload.toString();
        expect(JSON.parse(answer)).toEqual(JSON.parse(answers[i] ?? ''));
      }
    } finally {
      await engine.close();
    }
  }, 300_000);
});
