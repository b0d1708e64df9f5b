import { describe, expect, it } from 'vitest';
import type { TunePlan } from './plan.js';
import { planConflicts, resumePlan } from './resume.js';

const saved: TunePlan = {
  functionName: 'f',
  memorySizes: [128, 512],
  invocations: 5,
  parallel: false,
  payloads: [{ name: 'p', payload: '{"a":1}', weight: 1 }],
  strategy: 'speed',
  balancedWeight: 0.5,
  coldOnly: false,
  warmup: 1,
  sleepBetweenMs: 0,
  architecture: 'arm64',
  region: 'eu-west-1',
  allowedErrorTypes: ['Timeout', 'Runtime.OutOfMemory'],
  autoApply: false,
};

describe('resume', () => {
  it('takes the saved plan when nothing is given, and accepts options that repeat it', () => {
    expect(resumePlan(saved, {}, 'dir')).toEqual(saved);
    const repeated = {
      memorySizes: [512, 128, 512],
      payloads: [{ name: 'payload', payload: '{ "a": 1 }', weight: 1 }],
      allowedErrorTypes: ['Runtime.OutOfMemory', 'Timeout'],
      strategy: 'speed' as const,
    };
    expect(planConflicts(saved, repeated)).toEqual([]);
    expect(resumePlan(saved, { autoApply: true }, 'dir').autoApply).toBe(true);
    // Output-only options may change on resume: the monthly bill is recomputed from the records.
    expect(resumePlan(saved, { invocationsPerMonth: 10, freeTier: true }, 'dir')).toMatchObject({
      invocationsPerMonth: 10,
      freeTier: true,
    });
  });

  it('names every option that contradicts the saved plan', () => {
    const conflicts = planConflicts(saved, {
      memorySizes: [128, 256],
      invocations: 10,
      strategy: 'cost',
      payloads: [{ name: 'p', payload: '{"a":2}', weight: 1 }],
      functionName: 'g',
    });
    expect(conflicts).toEqual([
      'the function g (saved: f)',
      '--memory 128,256 (saved: 128,512)',
      '-n 10 (saved: 5)',
      "--payload / --payloads-file (not the saved run's payloads)",
      '--strategy cost (saved: speed)',
    ]);
    // The tolerance judges the records, like the strategy: a resumed run keeps the saved one.
    expect(planConflicts({ ...saved, tolerance: 0.05 }, { tolerance: 0.1 })).toEqual(['--tolerance 0.1 (saved: 0.05)']);
    expect(() => resumePlan(saved, { invocations: 10 }, 'out/run')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/out\/run.*-n 10 \(saved: 5\)/),
      }),
    );
  });
});
