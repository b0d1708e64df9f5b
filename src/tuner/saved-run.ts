import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Architecture } from '../engine/types.js';
import { LambenchError } from '../errors.js';
import { invocationCost } from '../pricing/cost.js';
import type { SizeSamples } from '../stats/regression.js';
import { INVOCATIONS_FILE, PROGRESS_FILE, type Progress } from './persist.js';
import { countsAsResult, type InvocationRecord, type TuneResult } from './types.js';

/** A finished tune as its folder holds it: the result, every invocation, and the plan it ran (when saved). */
export interface SavedRun {
  dir: string;
  result: TuneResult;
  records: InvocationRecord[];
  /** progress.json: the plan and the target; absent in a folder that holds only the reports. */
  progress: Progress | null;
}

const badRun = (message: string, hint?: string) => new LambenchError('INVALID_ARGUMENT', message, hint);

/** True when `ref` names a run folder (with result.json) or a result.json file, rather than a function. */
export async function isSavedRun(ref: string): Promise<boolean> {
  try {
    const info = await stat(ref);
    if (info.isFile()) return ref.endsWith('.json');
    return (await stat(path.join(ref, 'result.json'))).isFile();
  } catch {
    return false;
  }
}

async function readText(file: string, what: string, hint?: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw badRun(`Cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, hint);
  }
}

/**
 * Reads a run folder or its result.json (the folder beside it is read too). The regression gate needs each
 * invocation, so a folder without invocations.jsonl is bad input, as is anything that is not a tune result.
 */
export async function readSavedRun(ref: string): Promise<SavedRun> {
  const isFile = ref.endsWith('.json');
  const dir = path.resolve(isFile ? path.dirname(ref) : ref);
  const resultFile = isFile ? path.resolve(ref) : path.join(dir, 'result.json');
  const hint = 'Give a folder written by `lambench tune --out DIR` (result.json, invocations.jsonl, progress.json).';
  let result: Partial<TuneResult>;
  try {
    result = JSON.parse(await readText(resultFile, 'the tune result', hint)) as Partial<TuneResult>;
  } catch (error) {
    if (error instanceof LambenchError) throw error;
    throw badRun(`${resultFile} is not valid JSON: ${(error as Error).message}`, hint);
  }
  if (!Array.isArray(result.configs) || typeof result.function !== 'string') {
    throw badRun(`${resultFile} is not a lambench tune result (no "function" and "configs").`, hint);
  }
  const jsonl = path.join(dir, INVOCATIONS_FILE);
  const lines = (await readText(jsonl, 'the invocations of', hint)).split('\n').filter((l) => l.trim() !== '');
  const records = lines.map((line, i) => {
    try {
      const r = JSON.parse(line) as InvocationRecord;
      if (typeof r.memoryMB !== 'number' || typeof r.durationMs !== 'number') throw new Error('no memoryMB/durationMs');
      return r;
    } catch (error) {
      throw badRun(`${jsonl} line ${i + 1} is not an invocation record: ${(error as Error).message}.`, hint);
    }
  });
  if (records.length === 0) throw badRun(`${jsonl} holds no invocations.`, hint);
  let progress: Progress | null = null;
  try {
    progress = JSON.parse(await readFile(path.join(dir, PROGRESS_FILE), 'utf8')) as Progress;
  } catch {
    progress = null;
  }
  return { dir, result: result as TuneResult, records, progress };
}

/**
 * Per size, the values the gate compares, from the raw invocations: duration and cost of each measured
 * (non-warm-up) successful one, Init + duration of each cold start (warm-ups included, as in the reports), max
 * memory of each successful one. Cost per invocation is priced at its billed duration with the run's own pricing.
 */
export function sizeSamples(
  records: readonly InvocationRecord[],
  pricing: { architecture: Architecture; region: string },
): SizeSamples[] {
  const sizes = [...new Set(records.map((r) => r.memoryMB))].sort((a, b) => a - b);
  return sizes.map((memoryMB) => {
    const own = records.filter((r) => r.memoryMB === memoryMB && countsAsResult(r));
    const measured = own.filter((r) => !r.warmup);
    return {
      memoryMB,
      duration: measured.map((r) => r.durationMs),
      coldStart: own
        .filter((r) => r.cold && r.initDurationMs !== null)
        .map((r) => (r.initDurationMs ?? 0) + r.durationMs),
      maxMemory: own.map((r) => r.maxMemoryUsedMB),
      cost: measured.map((r) => invocationCost({ memoryMB, billedDurationMs: r.billedDurationMs, ...pricing })),
    };
  });
}

/** The pricing a result was measured with (older results: the target's region). */
export const pricingOf = (result: TuneResult) => ({
  architecture: result.environment.architecture,
  region: result.environment.pricingRegion ?? result.environment.region,
});
