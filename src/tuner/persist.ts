import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TunePlan } from './plan.js';
import type { InvocationRecord } from './types.js';

export const INVOCATIONS_FILE = 'invocations.jsonl';
export const PROGRESS_FILE = 'progress.json';

export interface Progress {
  plan: TunePlan;
  /** Where the run was measured: a resume must not mix local and AWS figures. Absent in older runs. */
  target?: 'local' | 'aws';
  completedSizes: number[];
  failedSizes: Record<string, { errorType: string; message: string }>;
}

/**
 * Keeps a run on disk as it goes: every invocation appended to JSONL and the list of finished sizes, so an
 * interrupted run keeps what it measured and `--resume` continues where it stopped.
 */
export class RunStore {
  constructor(readonly dir: string) {}

  async start(plan: TunePlan, target?: 'local' | 'aws'): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, INVOCATIONS_FILE), '');
    await this.#writeProgress({ plan, ...(target ? { target } : {}), completedSizes: [], failedSizes: {} });
  }

  async append(records: InvocationRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendFile(path.join(this.dir, INVOCATIONS_FILE), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  async markDone(memoryMB: number, failure?: { errorType: string; message: string }): Promise<void> {
    const progress = await this.readProgress();
    if (!progress) return;
    if (!progress.completedSizes.includes(memoryMB)) progress.completedSizes.push(memoryMB);
    if (failure) progress.failedSizes[String(memoryMB)] = failure;
    await this.#writeProgress(progress);
  }

  async readProgress(): Promise<Progress | null> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, PROGRESS_FILE), 'utf8')) as Progress;
    } catch {
      return null;
    }
  }

  /** Records of completed sizes only: a size cut off mid-way is measured again on resume. */
  async readRecords(completed: ReadonlySet<number>): Promise<InvocationRecord[]> {
    let text = '';
    try {
      text = await readFile(path.join(this.dir, INVOCATIONS_FILE), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as InvocationRecord)
      .filter((r) => completed.has(r.memoryMB));
  }

  async rewriteRecords(records: InvocationRecord[]): Promise<void> {
    await writeFile(path.join(this.dir, INVOCATIONS_FILE), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  async #writeProgress(progress: Progress): Promise<void> {
    const file = path.join(this.dir, PROGRESS_FILE);
    await writeFile(`${file}.tmp`, JSON.stringify(progress, null, 2));
    const { rename } = await import('node:fs/promises');
    await rename(`${file}.tmp`, file);
  }
}
