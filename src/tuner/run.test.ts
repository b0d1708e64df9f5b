import { describe, expect, it } from 'vitest';
import { errorsCell } from '../report/format.js';
import type { Target, TargetInvokeResult } from '../targets/types.js';
import type { TunePlan } from './plan.js';
import { buildConfigResult } from './results.js';
import { runPlan } from './run.js';

/** A target whose every second call times out, so allowed and counted errors can be told apart without an engine. */
function flakyTarget(): Target {
  let calls = 0;
  return {
    kind: 'local',
    describe: async (name) => ({ name, memoryMB: 128, runtime: 'nodejs22.x', architecture: 'x86_64' }),
    configure: async (functionName, memoryMB) => ({ functionName, memoryMB }),
    invoke: async (): Promise<TargetInvokeResult> => {
      const failed = calls++ % 2 === 1;
      return {
        requestId: `r${calls}`,
        payload: '{}',
        functionError: failed ? 'Unhandled' : null,
        errorType: failed ? 'Sandbox.Timedout' : null,
        ...(failed ? { errorMessage: 'Task timed out after 1.00 seconds' } : {}),
        report: { durationMs: 10, billedDurationMs: 10, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: null },
        cold: false,
        clientMs: 11,
        cpuCapped: false,
      };
    },
    applyMemory: async () => {},
    environment: async () => ({ target: 'local', region: 'us-east-1' }),
    maxFullCpuMemoryMB: () => 3538,
    cleanup: async () => {},
  };
}

const plan: TunePlan = {
  functionName: 'f',
  memorySizes: [128],
  invocations: 4,
  parallel: false,
  payloads: [{ name: 'p', payload: '{}', weight: 1 }],
  strategy: 'cost',
  balancedWeight: 0.5,
  coldOnly: false,
  warmup: 0,
  sleepBetweenMs: 0,
  architecture: 'x86_64',
  region: 'us-east-1',
  allowedErrorTypes: ['Sandbox.Timedout'],
  autoApply: false,
};

describe('runPlan', () => {
  it('keeps the error of an allowed error type on the record, marked allowedError, and counts it as a result', async () => {
    const [outcome] = await runPlan(flakyTarget(), plan);
    const failed = outcome?.records.filter((r) => r.errorType !== null) ?? [];
    expect(failed).toHaveLength(2);
    for (const r of failed) {
      expect(r).toMatchObject({
        functionError: 'Unhandled',
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Task timed out after 1.00 seconds',
        allowedError: true,
      });
    }
    const config = buildConfigResult(128, outcome?.records ?? [], {
      architecture: 'x86_64',
      region: 'us-east-1',
      cpuCapped: false,
    });
    expect(config.errors).toBe(0);
    expect(config.durationMs?.count).toBe(4);
    expect(config.allowedErrors).toEqual({ 'Sandbox.Timedout': 2 });
    expect(errorsCell(config)).toBe('0 +2 allowed (Sandbox.Timedout)');
  });

  it('counts errors of other types as errors', async () => {
    const [outcome] = await runPlan(flakyTarget(), { ...plan, allowedErrorTypes: [] });
    expect(outcome?.records.some((r) => r.allowedError)).toBe(false);
    const config = buildConfigResult(128, outcome?.records ?? [], {
      architecture: 'x86_64',
      region: 'us-east-1',
      cpuCapped: false,
    });
    expect(config.errors).toBe(2);
    expect(config.durationMs?.count).toBe(2);
    expect(config.allowedErrors).toBeUndefined();
  });
});
