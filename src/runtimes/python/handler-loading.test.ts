import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, firstAnswer, testVersion, writeFiles } from '../nodejs/test-helpers/first-answer.js';
import { providedRuntime } from '../provided/adapter.js';
import { pythonRuntime } from './adapter.js';
import { AWSLAMBDARIC_VERSION, awsLambdaRicPython } from './test-helpers/awslambdaric.js';
import { type PythonHandlerCase, pythonHandlerCases } from './test-helpers/handler-cases.js';

/** The Python handler-loading table against lambench's bootstrap.py and AWS's awslambdaric (python -m awslambdaric). */
const status = await pythonRuntime.detect();
const ric = status.available && status.path ? await awsLambdaRicPython(status.path) : { missing: 'no python3' };
if ('missing' in ric) console.warn(`awslambdaric cases skipped: ${ric.missing}`);

let workDir: string;
let cacheDir: string;
let folders = 0;

/** A user site-packages holding host_only.py: on the host's interpreter, never on AWS's. */
const env: Record<string, string> = { AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12' };

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-python-handlers-'));
  cacheDir = path.join(workDir, 'cache');
  if (!status.path) return;
  env.PYTHONUSERBASE = path.join(workDir, 'user-base');
  const { stdout } = await promisify(execFile)(status.path, ['-c', 'import site; print(site.getusersitepackages())'], {
    env: { ...process.env, PYTHONUSERBASE: env.PYTHONUSERBASE },
  });
  await writeFiles(stdout.trim(), { 'host_only.py': 'VALUE = "from the host"\n' });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function caseFolder(testCase: PythonHandlerCase, extra: Record<string, string> = {}): Promise<string> {
  const dir = path.join(workDir, 'functions', `case-${folders++}`);
  await writeFiles(dir, { ...testCase.files, ...extra });
  return dir;
}

function expectAnswer(actual: Answer, expected: PythonHandlerCase['expect']): void {
  if ('result' in expected) {
    expect(actual).toEqual(expected);
    return;
  }
  expect(actual).toMatchObject({ errorType: expected.errorType });
  expect((actual as { errorMessage: string }).errorMessage).toMatch(expected.errorMessage);
}

const cases = pythonHandlerCases.map((c) => [c.name, c] as const);

describe.skipIf(!status.available)("Python handler loading: lambench's bootstrap.py", () => {
  it.each(cases)('%s', async (_name, testCase) => {
    const dir = await caseFolder(testCase);
    const fn = testVersion(dir, testCase.handler, 'python3.12');
    expectAnswer(await firstAnswer(pythonRuntime, fn, cacheDir, testCase.event ?? {}, env), testCase.expect);
  });
});

describe.skipIf('missing' in ric)(`Python handler loading: AWS's awslambdaric ${AWSLAMBDARIC_VERSION}`, () => {
  it.each(cases)('%s', async (_name, testCase) => {
    if (!('site' in ric)) return;
    // The task root first on sys.path (python -m puts the working directory there), as AWS's bootstrap does;
    // -s -S: none of the host's site-packages, as AWS's interpreter has none of the developer's.
    const bootstrap = `#!/bin/sh\nexport PYTHONPATH="${ric.site}"\nexec "${status.path}" -s -S -m awslambdaric "$_HANDLER"\n`;
    const dir = await caseFolder(testCase, { bootstrap });
    const fn = testVersion(dir, testCase.handler, 'provided.al2023');
    expectAnswer(await firstAnswer(providedRuntime, fn, cacheDir, testCase.event ?? {}, env), testCase.expect);
  });
});

describe.skipIf(!status.available)("what AWS's Python runtime provides: boto3", () => {
  it("imports boto3 without shipping it, and the function's own copy wins", async () => {
    const dir = await caseFolder({
      name: 'boto3',
      files: {
        'app.py': 'import boto3, botocore\n\ndef handler(e, c):\n    return [boto3.__name__, botocore.__name__]\n',
      },
      handler: 'app.handler',
      expect: { result: null },
    });
    const fn = testVersion(dir, 'app.handler', 'python3.12');
    expect(await firstAnswer(pythonRuntime, fn, cacheDir, {}, env)).toEqual({ result: ['boto3', 'botocore'] });
    const shipped = await caseFolder({
      name: 'own boto3',
      files: {
        'boto3/__init__.py': '__name__ = "shipped boto3"\n',
        'app.py': 'import boto3\n\ndef handler(e, c):\n    return boto3.__name__\n',
      },
      handler: 'app.handler',
      expect: { result: null },
    });
    const own = testVersion(shipped, 'app.handler', 'python3.12');
    expect(await firstAnswer(pythonRuntime, own, cacheDir, {}, env)).toEqual({ result: 'shipped boto3' });
  });
});
