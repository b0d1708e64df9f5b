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
  /** Per runtime identifier, the executable that runs it (e.g. nodejs22.x → a Node.js 22 from the cache). */
  runtimes?: RuntimeBinaryStatus[];
}

export interface RuntimeBinaryStatus {
  runtime: string;
  path: string;
  /** The version it runs on (v22.23.5, 3.12.4); absent while still to be downloaded. */
  version?: string;
  /** host: on this machine; cache: downloaded by lambench earlier; or what happens on first use. */
  source: string;
  /** Set when the runtime runs on another version than AWS's, e.g. "python3.13 runs on Python 3.11.9". */
  deviation?: string;
}

export interface RuntimeLaunch {
  command: string;
  args: string[];
  /** Runtime-specific variables (e.g. NODE_PATH, PYTHONPATH); the engine adds AWS's own variables. */
  env: Record<string, string>;
  /** The version the function really runs on (v22.23.5 for nodejs22.x, 3.12.4 for python3.12), for its results. */
  runtimeVersion?: string;
  /** Where the runtime differs from AWS's (another interpreter version), for its results. */
  deviations?: string[];
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
