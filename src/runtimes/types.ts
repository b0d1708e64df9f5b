import type { FunctionVersion } from '../engine/types.js';

export interface RuntimeStatus {
  /** e.g. 'nodejs', 'python', 'provided' */
  family: string;
  available: boolean;
  version?: string;
  /** The executable used (the real interpreter, never a shim). */
  path?: string;
  /** What to install when unavailable, in one sentence. */
  missing?: string;
}

export interface RuntimeLaunch {
  command: string;
  args: string[];
  /** Runtime-specific variables (e.g. NODE_PATH, PYTHONPATH); the engine adds AWS's own variables. */
  env: Record<string, string>;
}

/** One per runtime family. The engine picks the first adapter whose `matches` accepts the manifest's runtime. */
export interface RuntimeAdapter {
  readonly family: string;
  matches(runtime: string): boolean;
  detect(): Promise<RuntimeStatus>;
  /**
   * Makes the function runnable (esbuild bundle for TS, pip install of requirements, cargo build) and returns
   * the task root (LAMBDA_TASK_ROOT). Cached under `cacheDir`, keyed by content, so a second call is cheap.
   */
  prepare(fn: FunctionVersion, cacheDir: string): Promise<string>;
  launch(fn: FunctionVersion, taskRoot: string): RuntimeLaunch;
}
