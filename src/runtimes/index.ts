import { LambenchError } from '../errors.js';
import { nodejsRuntime } from './nodejs/adapter.js';
import { providedRuntime } from './provided/adapter.js';
import { pythonRuntime } from './python/adapter.js';
import type { RuntimeAdapter } from './types.js';

export type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from './types.js';

export const runtimeAdapters: readonly RuntimeAdapter[] = [nodejsRuntime, pythonRuntime, providedRuntime];

/** The runtime identifiers some adapter runs, for messages. */
export const SUPPORTED_RUNTIMES = 'nodejs18.x–nodejs24.x, python3.9–python3.14, provided.al2023 or provided.al2';

/** True when an adapter runs this runtime identifier (checked when a function is defined, not at invoke). */
export function isSupportedRuntime(runtime: string): boolean {
  return runtimeAdapters.some((candidate) => candidate.matches(runtime));
}

export function findRuntime(runtime: string): RuntimeAdapter {
  const adapter = runtimeAdapters.find((candidate) => candidate.matches(runtime));
  if (!adapter) {
    throw new LambenchError(
      'RUNTIME_UNAVAILABLE',
      `Runtime "${runtime}" is not supported.`,
      `Use ${SUPPORTED_RUNTIMES}.`,
    );
  }
  return adapter;
}
