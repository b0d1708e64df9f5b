import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-python-handlers-'));
  cacheDir = path.join(workDir, 'cache');
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

const env = { AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12' };
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
    // As AWS's python bootstrap: the task root first on sys.path (python -m puts the working directory there).
    const bootstrap = `#!/bin/sh\nexport PYTHONPATH="${ric.site}"\nexec "${status.path}" -m awslambdaric "$_HANDLER"\n`;
    const dir = await caseFolder(testCase, { bootstrap });
    const fn = testVersion(dir, testCase.handler, 'provided.al2023');
    expectAnswer(await firstAnswer(providedRuntime, fn, cacheDir, testCase.event ?? {}), testCase.expect);
  });
});
