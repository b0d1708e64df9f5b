import { describe, expect, it } from 'vitest';
import { decodeVisualizationUrl } from '../../report/visualization.js';
import type { InvocationRecord } from '../types.js';
import { allPowerValues, checkExecutionInput, convertPayload, executionPlan, payloadsOf } from './input.js';
import { powerTuningOutput, stepFunctionsCost, trimmedMean } from './output.js';

const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:my-fn';

describe('PowerTuning execution input', () => {
  it('refuses what its initializer refuses', () => {
    expect(() => checkExecutionInput({ num: 10 })).toThrow(/Missing or empty lambdaARN/);
    expect(() => checkExecutionInput({ lambdaARN: arn, num: 4 })).toThrow(/Missing num or num below 5/);
    expect(() => checkExecutionInput({ lambdaARN: arn })).toThrow(/Missing num/);
    expect(() => checkExecutionInput({ lambdaARN: arn, num: 5, strategy: 'cheap' })).toThrow(/strategy must be/);
    expect(() => checkExecutionInput({ lambdaARN: arn, num: 5, payloadS3: 'bucket/key' })).toThrow(
      /s3:\/\/BUCKET\/KEY/,
    );
    expect(checkExecutionInput({ lambdaARN: arn, num: '20' }).num).toBe(20);
  });

  it('expands "ALL" and falls back to the deploy-time default sizes', () => {
    expect(allPowerValues()).toHaveLength(46);
    expect(allPowerValues().slice(0, 3)).toEqual([128, 192, 256]);
    expect(allPowerValues().at(-1)).toBe(3008);
    const plan = (extra: object) =>
      executionPlan(checkExecutionInput({ lambdaARN: arn, num: 5, ...extra }), {}, 'local').plan;
    expect(plan({}).memorySizes).toEqual([128, 256, 512, 1024, 1536, 3008]);
    expect(plan({ powerValues: 'ALL' }).memorySizes).toHaveLength(46);
    expect(plan({ powerValues: [512, 1024] }).memorySizes).toEqual([512, 1024]);
  });

  it('sends payloads as utils.convertPayload does', () => {
    expect(convertPayload({ a: 1 })).toBe('{"a":1}');
    expect(convertPayload('{"a":1}')).toBe('{"a":1}');
    expect(convertPayload('just a string')).toBe('"just a string"');
    expect(convertPayload(undefined)).toBe('null');
    // A list that is not weighted is an array-shaped payload.
    expect(payloadsOf([1, 2], 5)).toEqual([{ name: 'payload', payload: '[1,2]', weight: 1 }]);
  });

  it("splits weighted payloads with PowerTuning's counts and errors", () => {
    const weighted = [
      { payload: { n: 1 }, weight: 5 },
      { payload: { n: 2 }, weight: 15 },
      { payload: { n: 3 }, weight: 30 },
    ];
    // README-ADVANCED's example: 10 %, 30 %, 60 % of num=100.
    expect(payloadsOf(weighted, 100).map((p) => p.weight)).toEqual([10, 30, 60]);
    // floor() each, the last takes the rest: 7 → 0 for the first, refused as PowerTuning refuses it.
    expect(() => payloadsOf(weighted, 7)).toThrow(/Invalid payload weight \(num is too small\)/);
    expect(payloadsOf(weighted, 11).map((p) => p.weight)).toEqual([1, 3, 7]);
    expect(() => payloadsOf(weighted, 2)).toThrow(/3 payloads and only "num"=2/);
  });

  it('maps the rest of the input onto the tune plan, clamping as PowerTuning clamps', () => {
    const { functionRef, plan, settings } = executionPlan(
      checkExecutionInput({
        lambdaARN: arn,
        num: 8,
        parallelInvocation: true,
        strategy: 'balanced',
        balancedWeight: 3,
        discardTopBottom: 0.9,
        sleepBetweenRunsMs: 25,
        allowedExceptions: ['TimeoutError'],
        autoOptimize: true,
        autoOptimizeAlias: 'best',
        includeOutputResults: true,
      }),
      {},
      'local',
    );
    expect(functionRef).toBe('my-fn');
    expect(plan).toMatchObject({
      invocations: 8,
      parallel: true,
      strategy: 'balanced',
      balancedWeight: 1,
      warmup: 0,
      sleepBetweenMs: 25,
      allowedErrorTypes: ['TimeoutError'],
      autoApply: true,
    });
    expect(settings).toMatchObject({ discardTopBottom: 0.4, autoOptimizeAlias: 'best', includeOutputResults: true });
    const cold = executionPlan(
      checkExecutionInput({ lambdaARN: arn, num: 5, onlyColdStarts: true, dryRun: true }),
      {},
      'aws',
    );
    expect(cold.functionRef).toBe(arn);
    expect(cold.plan).toMatchObject({ coldOnly: true, invocations: 1, autoApply: false });
    expect(cold.settings.discardTopBottom).toBe(0);
  });
});

const record = (memoryMB: number, durationMs: number, extra: Partial<InvocationRecord> = {}): InvocationRecord => ({
  memoryMB,
  requestId: 'r',
  cold: false,
  durationMs,
  billedDurationMs: Math.ceil(durationMs),
  initDurationMs: null,
  maxMemoryUsedMB: 30,
  functionError: null,
  errorType: null,
  clientMs: durationMs + 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('PowerTuning output', () => {
  it("uses its analyzer's formulas: trimmed mean, ceiled billed mean, Step Functions transitions", () => {
    expect(trimmedMean([1, 2, 3, 4, 100], 0.2)).toBe(3);
    expect(trimmedMean([1, 2, 3, 4], 0.2)).toBe(2.5);
    expect(stepFunctionsCost(4, false, 50, 'us-east-1')).toBe(0.00045);
    expect(stepFunctionsCost(2, true, 5, 'sa-east-1')).toBe(+(0.0000375 * (6 + 2 + 20)).toFixed(5));
    const records = [
      // 128 MB: the cold one (Init Duration added, as PowerTuning adds it) is trimmed away.
      record(128, 10, { cold: true, initDurationMs: 300, billedDurationMs: 311 }),
      ...[10, 10, 10, 10].map((d) => record(128, d)),
      ...[4, 4, 4, 4, 4].map((d) => record(256, d)),
      record(256, 4, { errorType: 'Boom', functionError: 'Unhandled' }),
    ];
    const settings = {
      discardTopBottom: 0.2,
      onlyColdStarts: false,
      num: 5,
      includeOutputResults: true,
      dryRun: false,
    };
    const run = {
      memorySizes: [128, 256],
      balancedWeight: 0.5,
      architecture: 'x86_64' as const,
      region: 'us-east-1',
      settings,
    };
    const base = (0.0000166667 * 0.125) / 1000;
    const cost = powerTuningOutput(records, { ...run, strategy: 'cost' });
    expect(cost).toMatchObject({ power: 256, duration: 4 });
    expect(cost?.cost).toBeCloseTo(4 * base * 2, 15);
    expect(cost?.stateMachine.executionCost).toBe(stepFunctionsCost(2, false, 5, 'us-east-1'));
    // lambdaCost: every counted invocation's ceiled billed duration (the failed one is not a result).
    expect(cost?.stateMachine.lambdaCost).toBeCloseTo((311 + 40) * base + 5 * 4 * base * 2, 15);
    expect(cost?.stats).toEqual([
      { value: 128, averagePrice: 10 * base, averageDuration: 10 },
      { value: 256, averagePrice: 4 * base * 2, averageDuration: 4 },
    ]);
    expect(decodeVisualizationUrl(cost?.stateMachine.visualization ?? '').map((p) => p.memoryMB)).toEqual([128, 256]);
    expect(Object.keys(cost ?? {})).toEqual(['power', 'cost', 'duration', 'stateMachine', 'stats']);
    expect(powerTuningOutput(records, { ...run, strategy: 'speed' })?.power).toBe(256);
    expect(
      powerTuningOutput(records, { ...run, strategy: 'cost', settings: { ...settings, dryRun: true } }),
    ).toBeNull();
    const noStats = powerTuningOutput(records, {
      ...run,
      strategy: 'cost',
      settings: { ...settings, includeOutputResults: false },
    });
    expect(noStats).not.toHaveProperty('stats');
  });
});
