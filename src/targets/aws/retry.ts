import { setTimeout as sleep } from 'node:timers/promises';
import { translate } from './translate.js';

const RETRIABLE = new Set(['TooManyRequestsException', 'ThrottlingException', 'ResourceConflictException']);

/**
 * Retries throttling (429) and "update in progress" conflicts with exponential backoff and full jitter,
 * which is what PowerTuning users ask for instead of a failed run.
 */
export async function withBackoff<T>(call: () => Promise<T>, attempts = 8, baseMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (!RETRIABLE.has(name) || attempt >= attempts) throw error;
      await sleep(Math.random() * Math.min(10_000, baseMs * 2 ** attempt));
    }
  }
}

/** One Lambda API call about `functionRef`: retried as above, failures translated (translate.ts). */
export function lambdaCall<T>(functionRef: string, request: () => Promise<T>): Promise<T> {
  return withBackoff(request).catch((error: unknown) => {
    throw translate(error, functionRef);
  });
}
