import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providedRuntime } from '../provided/adapter.js';
import { nodejsRuntime } from './adapter.js';
import { awsLambdaRic, RIC_VERSION } from './test-helpers/aws-lambda-ric.js';
import { type Answer, firstAnswer, testVersion, writeFiles } from './test-helpers/first-answer.js';
import { type HandlerCase, handlerCases } from './test-helpers/handler-cases.js';

/**
 * The handler-loading table (test-helpers/handler-cases.ts) against lambench's Node.js runtime client and
 * against AWS's own, aws-lambda-ric, run as a provided.al2023 bootstrap. Both see the code staged as the engine
 * stages it; every case's folder sits inside a "type": "module" project with its own node_modules.
 */
let workDir: string;
let projectDir: string;
let cacheDir: string;
/** Built from source on first use into .lambench/cache/test-fixtures; skipped, saying why, without the tools. */
const ric = await awsLambdaRic();
if ('missing' in ric) console.warn(`aws-lambda-ric cases skipped: ${ric.missing}`);

function expectAnswer(actual: Answer, expected: HandlerCase['expect']): void {
  if ('result' in expected) {
    expect(actual).toEqual(expected);
    return;
  }
  expect(actual).toMatchObject({ errorType: expected.errorType });
  expect((actual as { errorMessage: string }).errorMessage).toMatch(expected.errorMessage);
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-handler-loading-'));
  cacheDir = path.join(workDir, 'cache');
  // The user's project: ESM by default, with a package only the project has.
  projectDir = path.join(workDir, 'project');
  await writeFiles(projectDir, {
    'package.json': '{"name":"user-project","type":"module"}',
    'node_modules/leak/package.json': '{"name":"leak","main":"index.js"}',
    'node_modules/leak/index.js': 'module.exports = "leaked from the project";\n',
  });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

let folders = 0;
async function caseFolder(testCase: HandlerCase, extra: Record<string, string> = {}): Promise<string> {
  const dir = path.join(projectDir, 'functions', `case-${folders++}`);
  await writeFiles(dir, { ...testCase.files, ...extra });
  return dir;
}

describe("handler loading: lambench's Node.js runtime client", () => {
  it.each(handlerCases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const dir = await caseFolder(testCase);
    const got = await firstAnswer(
      nodejsRuntime,
      testVersion(dir, testCase.handler, 'nodejs20.x'),
      cacheDir,
      testCase.event ?? {},
    );
    expectAnswer(got, testCase.expect);
  });
});

describe.skipIf('missing' in ric)(
  `handler loading: AWS's aws-lambda-ric ${RIC_VERSION} as a provided.al2023 bootstrap`,
  () => {
    it.each(handlerCases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
      if (!('bin' in ric)) return;
      const bootstrap = `#!/bin/sh\nexec "${process.execPath}" "${ric.bin}" "$_HANDLER"\n`;
      const dir = await caseFolder(testCase, { bootstrap });
      const fn = testVersion(dir, testCase.handler, 'provided.al2023');
      const got = await firstAnswer(providedRuntime, fn, cacheDir, testCase.event ?? {});
      expectAnswer(got, testCase.expect);
    });
  },
);
