import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { FunctionVersion } from '../../engine/types.js';
import { LambenchError } from '../../errors.js';
import type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from '../types.js';

/**
 * `provided.al2023` / `provided.al2`: the function folder carries an executable `bootstrap` that speaks the
 * Runtime API itself (e.g. a Rust binary built on AWS's `lambda_runtime` crate).
 */
export const providedRuntime: RuntimeAdapter = {
  family: 'provided',
  matches: (runtime) => runtime === 'provided.al2023' || runtime === 'provided.al2' || runtime === 'provided',
  async detect(): Promise<RuntimeStatus> {
    return { family: 'provided', available: true, version: 'custom runtime (bootstrap executable)' };
  },
  async prepare(fn: FunctionVersion): Promise<string> {
    const bootstrap = path.join(fn.codeDir, 'bootstrap');
    try {
      await access(bootstrap, constants.X_OK);
    } catch {
      throw new LambenchError(
        'BUILD_FAILED',
        `${fn.name}: ${bootstrap} is missing or not executable.`,
        'A provided.al2023 function needs an executable named bootstrap at the root of its code.',
      );
    }
    return fn.codeDir;
  },
  launch(_fn: FunctionVersion, taskRoot: string): RuntimeLaunch {
    return { command: path.join(taskRoot, 'bootstrap'), args: [], env: {} };
  },
};
