import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InvocationRecord, TuneResult } from '../tuner/types.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

async function writeAtomic(file: string, content: string): Promise<void> {
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
}

/** result.json, invocations.jsonl, report.html, summary.md and results.csv in one folder. */
export async function writeReportFolder(dir: string, result: TuneResult, records: InvocationRecord[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(path.join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeAtomic(path.join(dir, 'invocations.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await writeAtomic(path.join(dir, 'report.html'), renderHtml([result]));
  await writeAtomic(path.join(dir, 'summary.md'), renderMarkdown(result));
  await writeAtomic(path.join(dir, 'results.csv'), renderCsv(result));
}
