import type { Report } from './types.js';

/** AWS's Tail returns the last 4 KB of the invocation's log. */
export const TAIL_BYTES = 4096;

export const startLine = (requestId: string, version: string) => `START RequestId: ${requestId} Version: ${version}\n`;
export const endLine = (requestId: string) => `END RequestId: ${requestId}\n`;

export function initStartLine(runtime: string): string {
  return `INIT_START Runtime Version: ${runtime}.lambench\tRuntime Version ARN: local\n`;
}

/** AWS's line for an init phase that did not succeed, e.g. `Phase: init\tStatus: timeout` when INIT hit its 10 s limit. */
export function initReportLine(
  durationMs: number,
  phase: 'init' | 'invoke',
  status: 'timeout' | 'error',
  errorType?: string,
): string {
  const type = errorType ? `\tError Type: ${errorType}` : '';
  return `INIT_REPORT Init Duration: ${durationMs.toFixed(2)} ms\tPhase: ${phase}\tStatus: ${status}${type}\n`;
}

/** The REPORT line exactly as CloudWatch shows it: tab-separated, Init Duration last, trailing tab. */
export function reportLine(requestId: string, report: Report): string {
  const fields = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${report.billedDurationMs} ms`,
    `Memory Size: ${report.memorySizeMB} MB`,
    `Max Memory Used: ${report.maxMemoryUsedMB} MB`,
  ];
  if (report.initDurationMs !== null) fields.push(`Init Duration: ${report.initDurationMs.toFixed(2)} ms`);
  return `${fields.join('\t')}\t\n`;
}

export function timeoutLine(requestId: string, timeoutSeconds: number): string {
  return `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds\n`;
}

/** Billed duration rounds up to the next millisecond and, for on-demand cold starts, includes INIT (since 2025-08-01). */
export function billedDuration(durationMs: number, initDurationMs: number | null): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}

/** Last `TAIL_BYTES` of a log as base64, cut on a UTF-8 character boundary. */
export function tailBase64(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  if (bytes.length <= TAIL_BYTES) return bytes.toString('base64');
  let start = bytes.length - TAIL_BYTES;
  // Skip UTF-8 continuation bytes so the tail decodes cleanly.
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('base64');
}

/** Parses a REPORT line (ours or AWS's, text format) back into figures. */
export function parseReportLine(line: string): (Report & { requestId: string }) | null {
  if (!line.startsWith('REPORT RequestId: ')) return null;
  const field = (label: string) => {
    const match = new RegExp(`${label}: ([\\d.]+) (?:ms|MB)`).exec(line);
    return match ? Number(match[1]) : null;
  };
  const requestId = /RequestId: (\S+)/.exec(line)?.[1] ?? '';
  const durationMs = field('Duration');
  const billedDurationMs = field('Billed Duration');
  const memorySizeMB = field('Memory Size');
  const maxMemoryUsedMB = field('Max Memory Used');
  if (durationMs === null || billedDurationMs === null || memorySizeMB === null || maxMemoryUsedMB === null)
    return null;
  return {
    requestId,
    durationMs,
    billedDurationMs,
    memorySizeMB,
    maxMemoryUsedMB,
    initDurationMs: field('Init Duration'),
  };
}
