import { LambenchError } from '../errors.js';
import { nodejsRuntime } from './nodejs/adapter.js';
import { providedRuntime } from './provided/adapter.js';
import { pythonRuntime } from './python/adapter.js';
import type { RuntimeAdapter } from './types.js';

export type { RuntimeAdapter, RuntimeLaunch, RuntimeStatus } from './types.js';

export const runtimeAdapters: readonly RuntimeAdapter[] = [nodejsRuntime, pythonRuntime, providedRuntime];

export function findRuntime(runtime: string): RuntimeAdapter {
  const adapter = runtimeAdapters.find((candidate) => candidate.matches(runtime));
  if (!adapter) {
    throw new LambenchError(
      'RUNTIME_UNAVAILABLE',
      `Runtime "${runtime}" is not supported.`,
      'Use nodejs18.x–nodejs24.x, python3.9–python3.13 or provided.al2023.',
    );
  }
  return adapter;
}
