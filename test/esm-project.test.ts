import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsLambdaRic } from '../src/runtimes/nodejs/test-helpers/aws-lambda-ric.js';
import { lambenchBin, runLambench } from './helpers/cli.js';

/**
 * The issue-11 scenario as a new user meets it: `lambench serve` started inside a "type": "module" project (most
 * TypeScript projects), then a normal Lambda zip — a CommonJS handler.js, no package.json — created through the
 * AWS SDK. On AWS nothing above /var/task decides how the zip's files load, so it must answer here too, with
 * lambench's Node.js runtime and with AWS's own client (aws-lambda-ric) as a provided.al2023 bootstrap.
 */
let workDir: string;
let projectDir: string;
let serve: ChildProcess;
let lambda: LambdaClient;

const HANDLER_JS = `const probe = (name) => { try { require(name); return 'found'; } catch (error) { return error.code; } };
exports.handler = async (event) => ({
  message: 'hello from CommonJS',
  event,
  leak: probe('leak'),
  sdk: probe('@aws-sdk/client-s3'),
});
`;

/** As `zip` makes it on Linux: unix modes in the external attributes (Lambda keeps them; `bootstrap` must be +x). */
function zip(files: Record<string, string>): Uint8Array {
  return zipSync(
    Object.fromEntries(
      Object.entries(files).map(([name, text]) => {
        const mode = name === 'bootstrap' ? 0o755 : 0o644;
        return [name, [new TextEncoder().encode(text), { os: 3, attrs: (mode | 0o100000) << 16 }]];
      }),
    ),
  );
}

async function invoke(name: string, payload: unknown) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));
  return { functionError: out.FunctionError, body: JSON.parse(new TextDecoder().decode(out.Payload)) };
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-esm-project-'));
  projectDir = path.join(workDir, 'my-project');
  await mkdir(path.join(projectDir, 'node_modules', 'leak'), { recursive: true });
  await writeFile(path.join(projectDir, 'package.json'), '{"name":"my-project","type":"module"}\n');
  await writeFile(path.join(projectDir, 'node_modules', 'leak', 'index.js'), 'module.exports = "the project\'s";\n');
  serve = spawn(process.execPath, [lambenchBin, 'serve', '--json', '--quiet'], {
    cwd: projectDir,
    // The project's .lambench/cache has a package.json above it, so task roots go to the user's cache instead.
    env: { ...process.env, XDG_CACHE_HOME: path.join(workDir, 'user-cache') },
  });
  const endpoints: { lambda: string } = await new Promise((resolve, reject) => {
    let out = '';
    serve.stdout?.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '{}'));
    });
    serve.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  lambda = new LambdaClient({
    endpoint: endpoints.lambda,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  serve?.kill('SIGINT');
  await new Promise((resolve) => serve?.once('exit', resolve));
  await rm(workDir, { recursive: true, force: true });
});

describe('a CommonJS zip created through the SDK against serve inside a "type": "module" project', () => {
  it('answers on nodejs20.x as on AWS: CommonJS, no package from the project, the SDK provided', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'cjs-zip',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::123456789012:role/lambda',
        Handler: 'handler.handler',
        Code: { ZipFile: zip({ 'handler.js': HANDLER_JS }) },
      }),
    );
    const { functionError, body } = await invoke('cjs-zip', { n: 1 });
    expect(functionError).toBeUndefined();
    expect(body).toEqual({ message: 'hello from CommonJS', event: { n: 1 }, leak: 'MODULE_NOT_FOUND', sdk: 'found' });
  });

  it('answers with aws-lambda-ric as the provided.al2023 bootstrap (no SDK there, as on AWS)', async (ctx) => {
    const ric = await awsLambdaRic();
    if ('missing' in ric) {
      console.warn(`aws-lambda-ric skipped: ${ric.missing}`);
      return ctx.skip();
    }
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'cjs-zip-ric',
        Runtime: 'provided.al2023',
        Role: 'arn:aws:iam::123456789012:role/lambda',
        Handler: 'handler.handler',
        Code: {
          ZipFile: zip({
            'handler.js': HANDLER_JS,
            bootstrap: `#!/bin/sh\nexec "${process.execPath}" "${ric.bin}" "$_HANDLER"\n`,
          }),
        },
      }),
    );
    const { functionError, body } = await invoke('cjs-zip-ric', { n: 2 });
    expect(functionError).toBeUndefined();
    expect(body).toEqual({
      message: 'hello from CommonJS',
      event: { n: 2 },
      leak: 'MODULE_NOT_FOUND',
      sdk: 'MODULE_NOT_FOUND',
    });
  }, 900_000);
});

describe('a function folder inside a "type": "module" project, through the CLI', () => {
  it('loads its CommonJS handler.js as under /var/task: `lambench invoke ./functions/cjs-folder`', async () => {
    const dir = path.join(projectDir, 'functions', 'cjs-folder');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'handler.js'), HANDLER_JS);
    await writeFile(
      path.join(dir, 'function.json'),
      JSON.stringify({ name: 'cjs-folder', runtime: 'nodejs20.x', handler: 'handler.handler' }),
    );
    // Its own data dir: serve holds the project's embedded DynamoDB folder open.
    const out = await runLambench(
      ['invoke', './functions/cjs-folder', '--json', '--payload', '{"n":3}', '--data-dir', path.join(workDir, 'data')],
      projectDir,
      { XDG_CACHE_HOME: path.join(workDir, 'user-cache') },
    );
    expect(out.code, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(result.functionError).toBeNull();
    expect(result.payload).toEqual({
      message: 'hello from CommonJS',
      event: { n: 3 },
      leak: 'MODULE_NOT_FOUND',
      sdk: 'found',
    });
  }, 60_000);
});
