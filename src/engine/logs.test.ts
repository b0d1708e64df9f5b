import { describe, expect, it } from 'vitest';
import { billedDuration, parseReportLine, reportLine, TAIL_BYTES, tailBase64 } from './logs.js';

describe('REPORT line', () => {
  it('is tab-separated with Init Duration last, as CloudWatch shows it', () => {
    const line = reportLine('abc', {
      durationMs: 12.345,
      billedDurationMs: 153,
      memorySizeMB: 512,
      maxMemoryUsedMB: 61,
      initDurationMs: 140.12,
    });
    expect(line).toBe(
      'REPORT RequestId: abc\tDuration: 12.35 ms\tBilled Duration: 153 ms\tMemory Size: 512 MB\tMax Memory Used: 61 MB\tInit Duration: 140.12 ms\t\n',
    );
    expect(parseReportLine(line.trim())).toEqual({
      requestId: 'abc',
      durationMs: 12.35,
      billedDurationMs: 153,
      memorySizeMB: 512,
      maxMemoryUsedMB: 61,
      initDurationMs: 140.12,
    });
  });

  it('parses a warm AWS line without Init Duration', () => {
    const aws =
      'REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 0.83 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB\t';
    expect(parseReportLine(aws)?.initDurationMs).toBeNull();
  });

  it('bills ceil(duration + init)', () => {
    expect(billedDuration(12.01, null)).toBe(13);
    expect(billedDuration(12.01, 140.5)).toBe(153);
    expect(billedDuration(0.2, null)).toBe(1);
  });

  it('tails the last 4 KB on a character boundary', () => {
    const log = `${'é'.repeat(3000)}END`;
    const tail = Buffer.from(tailBase64(log), 'base64');
    expect(tail.length).toBeLessThanOrEqual(TAIL_BYTES);
    expect(tail.toString('utf8').endsWith('END')).toBe(true);
    expect(tail.toString('utf8')).not.toContain('\ufffd');
  });
});
