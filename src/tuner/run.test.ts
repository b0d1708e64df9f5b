import { describe, expect, it } from 'vitest';
import { errorsCell } from '../report/format.js';
import { buildConfigResult } from './results.js';
import { runPlan } from './run.js';
import { fakePlan, fakeTarget } from './test-helpers/fake-target.js';

const plan = fakePlan({ allowedErrorTypes: ['Sandbox.Timedout'] });

describe('runPlan', () => {
  it('keeps the error of an allowed error type on the record, marked allowedError, and counts it as a result', async () => {
    const [outcome] = await runPlan(fakeTarget({ flaky: true }), plan);
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
    const [outcome] = await runPlan(fakeTarget({ flaky: true }), { ...plan, allowedErrorTypes: [] });
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
