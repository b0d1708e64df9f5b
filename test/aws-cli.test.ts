import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLambda, startFakeLambda } from '../src/targets/aws/test-helpers/fake-lambda.js';
import { lambenchBin, runLambench } from './helpers/cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let cwd: string;
let serve: ChildProcess;
let endpoints: { lambda: string; s3: string; dynamodb: string };
let awsEnv: Record<string, string>;
const lambench = (args: string[]) => runLambench(args, cwd, awsEnv);

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-aws-'));
  serve = spawn(process.execPath, [lambenchBin, 'serve', '--json', '--quiet', '--data-dir', path.join(cwd, 'data')], {
    cwd,
  });
  endpoints = await new Promise((resolve, reject) => {
    let out = '';
    serve.stdout?.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '{}'));
    });
    serve.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  // The SDK's own conventions point the aws target at the local engine; no real credentials exist here.
  awsEnv = {
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
});

afterAll(async () => {
  serve?.kill('SIGINT');
  await new Promise((resolve) => serve?.once('exit', resolve));
  await rm(cwd, { recursive: true, force: true });
});

/** Region mistakes through the CLI: a clear error and exit code 2, no stack trace, nothing sent anywhere. */
describe('--target aws region errors', () => {
  /** The environment without any region: none in variables or files, no instance metadata. */
  const withoutRegion = (extra: Record<string, string> = {}) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...awsEnv,
      AWS_CONFIG_FILE: path.join(cwd, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...extra,
    };
    for (const name of [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_LAMBDA',
    ]) {
      if (!(name in extra)) delete env[name];
    }
    return env;
  };
  const run = (args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [lambenchBin, ...args], { cwd, env });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code, stderr }));
    });

  it('no region: says how to set one', async () => {
    const { code, stderr } = await run(['invoke', 'fn', '--target', 'aws'], withoutRegion());
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/^error: No AWS region is configured\.\nhint: Set AWS_REGION/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a region that does not exist: names it as not reachable', async () => {
    // Preloaded into the CLI: no host name resolves, as the unknown region's endpoint does not; no DNS query is made.
    const preload = path.join(cwd, 'no-dns.mjs');
    await writeFile(
      preload,
      `import dns from 'node:dns';
dns.lookup = (hostname, options, callback) => {
  const error = Object.assign(new Error('getaddrinfo ENOTFOUND ' + hostname), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
  process.nextTick(typeof options === 'function' ? options : callback, error);
};
`,
    );
    const env = withoutRegion({ NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` });
    const { code, stderr } = await run(['invoke', 'fn', '--target', 'aws', '--region', 'xx-fake-1'], env);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain('Region xx-fake-1 is not reachable: lambda.xx-fake-1.amazonaws.com does not resolve');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

/** The CLI against a scripted Lambda API (src/targets/aws/test-helpers) for what lambench serve never does. */
describe('--target aws against a scripted Lambda API', () => {
  const base = {
    FunctionName: 'fn',
    MemorySize: 128,
    Environment: { Variables: {} },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    RevisionId: 'r1',
  };
  const start = (fake: FakeLambda, args: string[]) => {
    const child = spawn(process.execPath, [lambenchBin, ...args], {
      cwd,
      env: { ...process.env, ...awsEnv, AWS_ENDPOINT_URL_LAMBDA: fake.endpoint },
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stderr })),
    );
    return { child, exited };
  };

  it('Ctrl-C while AWS applies a change ends the wait, restores the configuration and exits 130', async () => {
    let phase: 'original' | 'updating' | 'restored' = 'original';
    const fake = await startFakeLambda((request) => {
      if (!request.path.endsWith('/functions/fn/configuration')) return undefined;
      if (request.method === 'PUT') {
        phase = phase === 'original' ? 'updating' : 'restored';
        return {
          body: { ...base, MemorySize: request.body.MemorySize, RevisionId: 'r2', LastUpdateStatus: 'InProgress' },
        };
      }
      if (phase === 'updating')
        return { body: { ...base, MemorySize: 256, RevisionId: 'r2', LastUpdateStatus: 'InProgress' } };
      return { body: { ...base, RevisionId: phase === 'restored' ? 'r3' : 'r1' } };
    });
    const run = start(fake, ['invoke', 'fn', '--target', 'aws', '--memory', '256']);
    await expect.poll(() => phase, { timeout: 20_000 }).toBe('updating');
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Interrupted while waiting for fn/);
    const updates = fake.requests.filter((r) => r.method === 'PUT').map((r) => r.body.MemorySize);
    expect(updates).toEqual([256, 128]);
    await fake.close();
  });

  it('a cleanup failure keeps the output, lists what was left behind with the command to remove it, exits 1', async () => {
    let current = { ...base };
    const report =
      'REPORT RequestId: r\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 256 MB\tMax Memory Used: 30 MB\n';
    const fake = await startFakeLambda((request) => {
      if (request.path.endsWith('/functions/fn/configuration')) {
        if (request.method === 'PUT')
          current = { ...current, MemorySize: request.body.MemorySize as number, RevisionId: 'r2' };
        return { body: current };
      }
      if (request.path.endsWith('/versions')) {
        return { status: 201, body: { Version: '1', Description: request.body.Description } };
      }
      if (request.path.endsWith('/aliases')) return { status: 201, body: {} };
      if (request.path.endsWith('/invocations')) {
        return { body: { ok: true }, headers: { 'x-amz-log-result': Buffer.from(report).toString('base64') } };
      }
      if (request.method === 'DELETE' && request.path.includes('/aliases/')) {
        return {
          status: 403,
          errorType: 'AccessDeniedException',
          body: { message: 'not authorized: lambda:DeleteAlias' },
        };
      }
      if (request.method === 'DELETE') return { status: 204 };
      return undefined;
    });
    const { code, stdout, stderr } = await runLambench(
      ['invoke', 'fn', '--target', 'aws', '--memory', '256', '--json'],
      cwd,
      {
        ...awsEnv,
        AWS_ENDPOINT_URL_LAMBDA: fake.endpoint,
      },
    );
    expect(code, stderr).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ function: 'fn', memoryMB: 256, payload: { ok: true } });
    expect(stderr).toContain('cleanup left this behind on AWS Lambda (us-east-1)');
    expect(stderr).toContain('alias lambench-256 of fn (AccessDeniedException: not authorized: lambda:DeleteAlias)');
    expect(stderr).toContain('aws lambda --region us-east-1 delete-alias --function-name fn --name lambench-256');
    await fake.close();
  });
});

describe('--target aws against lambench serve', () => {
  it('deploys, invokes, tunes 3 sizes leaving nothing behind, restores memory, and destroys', async () => {
    const lambda = new LambdaClient({
      endpoint: endpoints.lambda,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    const deploy = await lambench([
      'deploy',
      path.join(root, 'functions/hello/node'),
      '--target',
      'aws',
      '--role',
      'arn:aws:iam::123456789012:role/x',
      '--name',
      'deployed-hello',
      '--json',
    ]);
    expect(deploy.code).toBe(0);
    expect(JSON.parse(deploy.stdout)).toMatchObject({ function: 'deployed-hello', created: true });

    const invoke = await lambench(['invoke', 'deployed-hello', '--target', 'aws', '--payload', '{"echo":1}', '--json']);
    expect(JSON.parse(invoke.stdout)).toMatchObject({
      function: 'deployed-hello',
      payload: { echo: 1 },
      functionError: null,
    });
    // A plain invoke changes nothing, so the environment it started is still warm for the next one.
    const again = await lambench(['invoke', 'deployed-hello', '--target', 'aws', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ cold: false, report: { initDurationMs: null } });

    // The ARN's region wins over AWS_REGION (us-east-1 here), --region picks it for a name, and a conflict is refused.
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:deployed-hello';
    const byArn = await lambench(['invoke', arn, '--target', 'aws', '--json']);
    expect(JSON.parse(byArn.stdout)).toMatchObject({ function: 'deployed-hello', region: 'eu-west-1' });
    const byFlag = await lambench(['invoke', 'deployed-hello', '--target', 'aws', '--region', 'us-west-2', '--json']);
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ region: 'us-west-2' });
    const conflict = await lambench(['invoke', arn, '--target', 'aws', '--region', 'us-east-1']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/is in eu-west-1, but --region is us-east-1/);
    const tuneConflict = await lambench(['tune', arn, '--target', 'aws', '--region', 'us-east-1', '-n', '1']);
    expect(tuneConflict.code).toBe(2);
    expect(tuneConflict.stderr).toMatch(/is in eu-west-1, but --region is us-east-1/);

    const tune = await lambench([
      'tune',
      'deployed-hello',
      '--target',
      'aws',
      '--memory',
      '128,256,512',
      '-n',
      '3',
      '--json',
      '--out',
      path.join(cwd, 'run'),
    ]);
    expect(tune.code).toBe(0);
    const result = JSON.parse(tune.stdout);
    expect(result.target).toBe('aws');
    expect(result.configs.map((c: { memoryMB: number; errors: number }) => [c.memoryMB, c.errors])).toEqual([
      [128, 0],
      [256, 0],
      [512, 0],
    ]);
    expect(result.sampling).toMatchObject({ order: 'interleaved' });
    // Adaptive sampling and the regression gate drive the aws target through the same aliases.
    const adaptiveOut = path.join(cwd, 'adaptive');
    const adaptive = await lambench([
      'tune',
      'deployed-hello',
      '--target',
      'aws',
      '--memory',
      '128,256',
      '--precision',
      '50%',
      '--min-n',
      '6',
      '--max-n',
      '8',
      '--json',
      '--out',
      adaptiveOut,
    ]);
    expect(adaptive.code, adaptive.stderr).toBe(0);
    for (const c of JSON.parse(adaptive.stdout).configs) expect(c.sampling.n).toBeGreaterThanOrEqual(6);
    const gate = await lambench(['check', 'deployed-hello', '--target', 'aws', '--baseline', adaptiveOut]);
    expect(gate.code, gate.stderr).not.toBe(2);
    expect(gate.stdout).toContain('## lambench check: deployed-hello');
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: 'deployed-hello' }))).Aliases).toEqual([]);
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'deployed-hello' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST']);
    expect(
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'deployed-hello' }))).MemorySize,
    ).toBe(128);

    const missing = await lambench(['invoke', 'not-deployed', '--target', 'aws']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);

    expect((await lambench(['destroy', 'deployed-hello', '--target', 'aws'])).code).toBe(0);
    await expect(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'deployed-hello' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    lambda.destroy();
  });
  it('run --target aws deploys the experiment functions, tunes them through aliases and leaves none behind', async () => {
    const out = path.join(cwd, 'aws-run');
    const needsBucket = await lambench(['run', 'cpu', '--quick', '--target', 'aws']);
    expect(needsBucket.code).toBe(2);
    expect(needsBucket.stderr).toMatch(/--bucket/);

    const run = await lambench([
      'run',
      'cpu',
      '--quick',
      '--target',
      'aws',
      '--bucket',
      'lambench-aws-run',
      '--role',
      'arn:aws:iam::123456789012:role/x',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('deploying cpu-node to AWS Lambda');
    const outcome = JSON.parse(await readFile(path.join(out, 'cpu', 'claims.json'), 'utf8'));
    for (const result of outcome.results) {
      expect(result.target).toBe('aws');
      expect(result.configs.every((c: { errors: number }) => c.errors === 0)).toBe(true);
    }
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain('AWS Lambda, us-east-1');
    const lambda = new LambdaClient({
      endpoint: endpoints.lambda,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: 'cpu-node' }))).Aliases).toEqual([]);
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'cpu-node' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST']);
    lambda.destroy();
  });
});
