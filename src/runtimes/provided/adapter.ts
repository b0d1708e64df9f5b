import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FunctionVersion } from '../../engine/types.js';
import { stageTaskRoot } from '../task-root.js';
import type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from '../types.js';
import { buildBootstrap, CARGO_HINT, cargoVersion } from './cargo.js';

/**
 * `provided.al2023` / `provided.al2`: the code carries an executable `bootstrap` that speaks the Runtime API
 * itself. A folder with a Cargo.toml instead is built with cargo on demand (AWS's lambda_runtime crate).
 */
export const providedRuntime: RuntimeAdapter = {
  family: 'provided',
  matches: (runtime) => runtime === 'provided.al2023' || runtime === 'provided.al2' || runtime === 'provided',
  async detect(): Promise<RuntimeStatus> {
    const cargo = await cargoVersion();
    return cargo
      ? { family: 'provided', available: true, version: `bootstrap executables; Rust workloads built with ${cargo}` }
      : { family: 'provided', available: true, version: 'bootstrap executables only', missing: CARGO_HINT };
  },
  async prepare(fn: FunctionVersion, cacheDir: string): Promise<string> {
    const bootstrap = path.join(fn.codeDir, 'bootstrap');
    // Only lambench's and the user's own folders are built; uploaded code runs as uploaded, as on AWS.
    if (!fn.uploaded && !existsSync(bootstrap) && existsSync(path.join(fn.codeDir, 'Cargo.toml'))) {
      return buildBootstrap(fn.name, fn.codeDir, cacheDir);
    }
    // A missing or non-executable bootstrap is the invocation's Runtime.InvalidEntrypoint, as on AWS (Environment).
    // As under /var/task: nothing above the code decides how it loads (a Node.js bootstrap such as aws-lambda-ric
    // would otherwise find the user's package.json), and an OS-only runtime provides no SDK.
    return stageTaskRoot(fn.name, fn.codeDir, cacheDir, { family: 'provided' });
  },
  launch(_fn: FunctionVersion, taskRoot: string): RuntimeLaunch {
    return { command: path.join(taskRoot, 'bootstrap'), args: [], env: {} };
  },
};
