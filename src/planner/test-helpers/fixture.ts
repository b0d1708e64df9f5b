import { summarize } from '../../tuner/stats.js';
import type { InvocationRecord, TuneResult } from '../../tuner/types.js';

/** A tune result of two sizes whose every warm invocation takes the same time (so the bill is known exactly). */
export function fixture(architecture: 'x86_64' | 'arm64', ms: Record<number, number>, initMs = 200) {
  const records: InvocationRecord[] = Object.entries(ms).flatMap(([memory, d]) =>
    Array.from({ length: 20 }, (_, i) => ({
      memoryMB: Number(memory),
      requestId: `${memory}-${i}`,
      cold: i === 0,
      durationMs: d,
      billedDurationMs: Math.ceil(d),
      initDurationMs: i === 0 ? initMs : null,
      maxMemoryUsedMB: 80,
      functionError: null,
      errorType: null,
      clientMs: d + 1,
      startedAt: '2026-12-02T00:00:00Z',
      ...(i === 0 ? { warmup: true } : {}),
    })),
  );
  const configs = Object.entries(ms).map(([memory, d]) => ({
    memoryMB: Number(memory),
    invocations: 19,
    errors: 0,
    errorTypes: {},
    durationMs: summarize(Array(19).fill(d)),
    billedDurationMs: summarize(Array(19).fill(Math.ceil(d))),
    initDurationMs: summarize([initMs]),
    coldStartMs: summarize([initMs + d]),
    maxMemoryUsedMB: 80,
    costUSD: null,
    coldStarts: 1,
    cpuCapped: false,
  }));
  const result: TuneResult = {
    function: 'fixture-fn',
    target: 'local',
    strategy: 'cost',
    balancedWeight: 0.5,
    best: null,
    recommendation: '',
    configs,
    visualization: '',
    environment: {
      target: 'local',
      region: 'us-east-1',
      architecture,
      runtime: 'nodejs22.x',
      node: 'v24',
      cappedMemorySizes: [],
      startedAt: '2026-12-02T00:00:00Z',
      finishedAt: '2026-12-02T00:01:00Z',
    },
  };
  return { result, records };
}
