import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionVersion } from '../../engine/types.js';
import { providedRuntime } from '../provided/adapter.js';
import type { RuntimeAdapter } from '../types.js';
import { nodejsRuntime } from './adapter.js';
import { awsLambdaRic, RIC_VERSION } from './test-helpers/aws-lambda-ric.js';
import { FakeRuntimeApi, type Outcome, spawnRuntime } from './test-helpers/fake-runtime-api.js';
import { type HandlerCase, handlerCases } from './test-helpers/handler-cases.js';

/**
 * The handler-loading table (test-helpers/handler-cases.ts) against lambench's Node.js runtime client and
 * against AWS's own, aws-lambda-ric, run as a provided.al2023 bootstrap. Both see the code staged as the engine
 * stages it; every case's folder sits inside a "type": "module" project with its own node_modules.
 */
let workDir: string;
let projectDir: string;
let cacheDir: string;
/** Installed (built from source) on first use into .lambench/cache/test-fixtures; skipped, saying why, without the tools. */
const ric = await awsLambdaRic();
if ('missing' in ric) console.warn(`aws-lambda-ric cases skipped: ${ric.missing}`);

function version(codeDir: string, handler: string, runtime: string): FunctionVersion {
  return {
    name: path.basename(codeDir),
    runtime,
    handler,
    memorySize: 256,
    timeout: 30,
    ephemeralStorage: 512,
    environment: {},
    architecture: 'x86_64',
    description: '',
    version: '$LATEST',
    codeDir,
    codeSha256: '',
    codeSize: 0,
    revisionId: '',
    lastModified: '',
  };
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text, { mode: file === 'bootstrap' ? 0o755 : 0o644 });
  }
}

type Answer = { result: unknown } | { errorType: string | undefined; errorMessage: string | undefined };

/** Prepares and launches as the engine does, invokes once, and returns the answer or the init error. */
async function answer(adapter: RuntimeAdapter, fn: FunctionVersion, event: unknown): Promise<Answer> {
  const taskRoot = await adapter.prepare(fn, cacheDir);
  const launch = adapter.launch(fn, taskRoot);
  const api = await FakeRuntimeApi.start();
  const runtime = spawnRuntime(launch.command, launch.args, api, taskRoot, fn.handler, launch.env);
  try {
    const invocation = api.invoke(event);
    const outcome = await Promise.race([
      invocation,
      runtime.exited.then(() => undefined),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in 20 s; output:\n${runtime.output()}`)), 20_000),
      ),
    ]);
    const body = (outcome ?? api.initErrors[0])?.body as { errorType?: string; errorMessage?: string } | undefined;
    if (!outcome && !body) throw new Error(`exited without an answer; output:\n${runtime.output()}`);
    if ((outcome as Outcome | undefined)?.kind === 'response') return { result: outcome?.body };
    return { errorType: body?.errorType, errorMessage: body?.errorMessage };
  } finally {
    runtime.kill();
    await runtime.exited;
    await api.close();
  }
}

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
    const got = await answer(nodejsRuntime, version(dir, testCase.handler, 'nodejs20.x'), testCase.event ?? {});
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
      const got = await answer(
        providedRuntime,
        version(dir, testCase.handler, 'provided.al2023'),
        testCase.event ?? {},
      );
      expectAnswer(got, testCase.expect);
    });
  },
);
