import { parseReportLine } from '../../engine/logs.js';
import type { Report } from '../../engine/types.js';

/**
 * Extracts REPORT figures from Invoke's X-Amz-Log-Result (base64 of the last 4 KB of the log), in either log format:
 * text (`REPORT RequestId: …\tDuration: …`) or JSON (`{"type":"platform.report","record":{"metrics":{…}}}`).
 */
export function reportFromLogResult(logResultBase64: string | undefined): Report | null {
  if (!logResultBase64) return null;
  const log = Buffer.from(logResultBase64, 'base64').toString('utf8');
  for (const line of log.split('\n').reverse()) {
    const trimmed = line.trim();
    if (trimmed.startsWith('REPORT ')) {
      const parsed = parseReportLine(trimmed);
      if (parsed) {
        const { requestId: _ignored, ...report } = parsed;
        return report;
      }
    }
    if (trimmed.startsWith('{') && trimmed.includes('platform.report')) {
      const report = reportFromJsonLine(trimmed);
      if (report) return report;
    }
  }
  return null;
}

interface JsonReportMetrics {
  durationMs?: number;
  billedDurationMs?: number;
  memorySizeMB?: number;
  maxMemoryUsedMB?: number;
  initDurationMs?: number;
}

function reportFromJsonLine(line: string): Report | null {
  try {
    const event = JSON.parse(line) as { type?: string; record?: { metrics?: JsonReportMetrics } };
    const metrics = event.record?.metrics;
    if (event.type !== 'platform.report' || !metrics || metrics.durationMs === undefined) return null;
    return {
      durationMs: metrics.durationMs,
      billedDurationMs: metrics.billedDurationMs ?? Math.ceil(metrics.durationMs),
      memorySizeMB: metrics.memorySizeMB ?? 0,
      maxMemoryUsedMB: metrics.maxMemoryUsedMB ?? 0,
      initDurationMs: metrics.initDurationMs ?? null,
    };
  } catch {
    return null;
  }
}
