import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FunctionVersion } from '../../../engine/types.js';
import type { RuntimeAdapter } from '../../types.js';
import { FakeRuntimeApi, type Outcome, spawnRuntime } from './fake-runtime-api.js';

export type Answer = { result: unknown } | { errorType: string | undefined; errorMessage: string | undefined };

/** A FunctionVersion for runtime tests: only the code, handler and runtime matter. */
export function testVersion(codeDir: string, handler: string, runtime: string): FunctionVersion {
  return {
    name: codeDir.split('/').pop() ?? 'fixture',
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

/**
 * Prepares and launches a function as the engine does, against a fake Runtime API, invokes it once and returns
 * its answer: the result, the invocation's error, or the error the runtime posted to /init/error before exiting.
 */
export async function firstAnswer(
  adapter: RuntimeAdapter,
  fn: FunctionVersion,
  cacheDir: string,
  event: unknown,
  env: Record<string, string> = {},
): Promise<Answer> {
  const taskRoot = await adapter.prepare(fn, cacheDir);
  const launch = adapter.launch(fn, taskRoot);
  const api = await FakeRuntimeApi.start();
  const runtime = spawnRuntime(launch.command, launch.args, api, taskRoot, fn.handler, { ...env, ...launch.env });
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      api.invoke(event),
      runtime.exited.then(() => undefined),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in 30 s; output:\n${runtime.output()}`)), 30_000);
      }),
    ]);
    const body = (outcome ?? api.initErrors[0])?.body as { errorType?: string; errorMessage?: string } | undefined;
    if (!outcome && !body) throw new Error(`exited without an answer; output:\n${runtime.output()}`);
    if ((outcome as Outcome | undefined)?.kind === 'response') return { result: outcome?.body };
    return { errorType: body?.errorType, errorMessage: body?.errorMessage };
  } finally {
    clearTimeout(timer);
    runtime.kill();
    await runtime.exited;
    await api.close();
  }
}

/** Writes `files` (relative path → text) under `dir`; a file named bootstrap is made executable. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text, { mode: path.basename(file) === 'bootstrap' ? 0o755 : 0o644 });
  }
}
