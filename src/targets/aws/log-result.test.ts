import { describe, expect, it } from 'vitest';
import { reportFromLogResult } from './log-result.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('reportFromLogResult', () => {
  it('reads the text format, with and without Init Duration', () => {
    const cold = b64(
      'START RequestId: r1 Version: 3\nhello\nEND RequestId: r1\nREPORT RequestId: r1\tDuration: 2.50 ms\tBilled Duration: 150 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tInit Duration: 147.10 ms\t\n',
    );
    expect(reportFromLogResult(cold)).toEqual({
      durationMs: 2.5,
      billedDurationMs: 150,
      memorySizeMB: 256,
      maxMemoryUsedMB: 70,
      initDurationMs: 147.1,
    });
    const warm = b64(
      'REPORT RequestId: r2\tDuration: 1.01 ms\tBilled Duration: 2 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t',
    );
    expect(reportFromLogResult(warm)?.initDurationMs).toBeNull();
  });

  it('reads the JSON log format', () => {
    const line = JSON.stringify({
      time: '2026-01-01T00:00:00.000Z',
      type: 'platform.report',
      record: {
        requestId: 'r3',
        metrics: {
          durationMs: 3.2,
          billedDurationMs: 4,
          memorySizeMB: 512,
          maxMemoryUsedMB: 80,
          initDurationMs: 200.5,
        },
        status: 'success',
      },
    });
    expect(reportFromLogResult(b64(`{"type":"platform.start"}\n${line}\n`))).toEqual({
      durationMs: 3.2,
      billedDurationMs: 4,
      memorySizeMB: 512,
      maxMemoryUsedMB: 80,
      initDurationMs: 200.5,
    });
  });

  it('returns null when no REPORT is in the tail', () => {
    expect(reportFromLogResult(b64('just output\n'))).toBeNull();
    expect(reportFromLogResult(undefined)).toBeNull();
  });
});
