import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_BYTES,
  parseMemoryList,
  parseStrategy,
  payloadSchedule,
  readPayloadsFile,
  type TunePlan,
  validatePlan,
} from './plan.js';

describe('plan', () => {
  it('parses memory lists and rejects sizes AWS rejects', () => {
    expect(parseMemoryList('128, 512,1024')).toEqual([128, 512, 1024]);
    expect(() => parseMemoryList('128,64')).toThrow(/"64" is not valid/);
    expect(() => parseMemoryList('128,abc')).toThrow(/"abc"/);
    expect(() => parseMemoryList('128,,256')).toThrow(/not a list/);
    expect(() => parseMemoryList('20000')).toThrow(/10240/);
    expect(() => parseMemoryList('')).toThrow(/not a list/);
    // Number() would take these as 128 and 1000.
    expect(() => parseMemoryList('0x80')).toThrow(/"0x80" is not valid/);
    expect(() => parseMemoryList('128,1e3')).toThrow(/"1e3" is not valid/);
    expect(() => parseMemoryList('512.0')).toThrow(/"512.0" is not valid/);
  });

  it('rejects unknown strategies', () => {
    expect(parseStrategy('balanced')).toBe('balanced');
    expect(() => parseStrategy('fastest')).toThrow(/Unknown strategy "fastest"/);
  });

  it('splits invocations by weight, every payload at least once, interleaved', () => {
    const a = { name: 'a', payload: '{}', weight: 3 };
    const b = { name: 'b', payload: '{}', weight: 1 };
    const schedule = payloadSchedule([a, b], 8);
    expect(schedule).toHaveLength(8);
    expect(schedule.filter((p) => p === a)).toHaveLength(6);
    expect(schedule.slice(0, 2).map((p) => p.name)).toEqual(['a', 'b']);
    const tiny = payloadSchedule([a, b, { name: 'c', payload: '{}', weight: 0.01 }], 3);
    expect(new Set(tiny.map((p) => p.name))).toEqual(new Set(['a', 'b', 'c']));
  });

  it('rejects weights that are not finite positive numbers, in the file and in the plan', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-plan-'));
    try {
      const file = path.join(dir, 'payloads.json');
      // JSON.parse reads 1e999 as Infinity; the schedule would then hold NaN counts and never fill up.
      await writeFile(file, '[{"payload": {"a": 1}, "weight": 1e999}, {"payload": {"a": 2}, "weight": 1}]');
      await expect(readPayloadsFile(file)).rejects.toThrow(/entry 0 has weight Infinity; weights must be finite/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const payload = (weight: number) => ({ name: `w${weight}`, payload: '{}', weight });
    const plan: TunePlan = { ...basePlan, invocations: 4 };
    for (const weight of [Number.POSITIVE_INFINITY, Number.NaN, 0, -1]) {
      expect(() => validatePlan({ ...plan, payloads: [payload(weight), payload(1)] })).toThrow(/finite positive/);
    }
    expect(() => validatePlan({ ...plan, payloads: [payload(1e308), payload(1e308)] })).toThrow(/add up to more/);
    expect(() => payloadSchedule([payload(1), payload(2)], 1)).toThrow(/at least as many/);
  });

  it("refuses a payload of AWS's 6 MB Invoke limit or more, counted in bytes, as the Invoke API does", () => {
    // AWS: "Request must be smaller than 6291456 bytes": one byte less is the largest payload; multi-byte
    // characters count as the bytes they take.
    const json = (bytes: number) => `"${'x'.repeat(bytes - 2)}"`;
    const plan = (payload: string) => ({ ...basePlan, payloads: [{ name: 'p', payload, weight: 1 }] });
    expect(validatePlan(plan(json(MAX_PAYLOAD_BYTES - 1)))).toBeTruthy();
    expect(() => validatePlan(plan(json(MAX_PAYLOAD_BYTES)))).toThrow(
      /Payload "p" is 6291456 bytes: RequestEntityTooLargeException: Request must be smaller than 6291456 bytes/,
    );
    expect(() => validatePlan(plan(json(MAX_PAYLOAD_BYTES + 1)))).toThrow(/is 6291457 bytes/);
    const over = `"${'é'.repeat(MAX_PAYLOAD_BYTES / 2)}"`;
    expect(() => validatePlan({ ...basePlan, payloads: [{ name: 'big', payload: over, weight: 1 }] })).toThrow(
      /Payload "big" is 6291458 bytes: RequestEntityTooLargeException/,
    );
  });

  it('validates the plan before anything runs', () => {
    const plan = {
      functionName: 'f',
      memorySizes: [512, 128, 512],
      invocations: 5,
      parallel: false,
      payloads: [{ name: 'p', payload: '{}', weight: 1 }],
      strategy: 'cost' as const,
      balancedWeight: 0.5,
      coldOnly: false,
      warmup: 1,
      sleepBetweenMs: 0,
      architecture: 'x86_64' as const,
      region: 'us-east-1',
      allowedErrorTypes: [],
      autoApply: false,
    };
    expect(validatePlan(plan).memorySizes).toEqual([128, 512]);
    expect(() => validatePlan({ ...plan, invocations: 0 })).toThrow(/-n must be/);
    expect(() => validatePlan({ ...plan, balancedWeight: 2 })).toThrow(/between 0 and 1/);
    expect(() => validatePlan({ ...plan, tolerance: 1 })).toThrow(/--tolerance must be between 0 % and 100 %/);
    expect(() => validatePlan({ ...plan, tolerance: Number.NaN })).toThrow(/--tolerance/);
    expect(validatePlan({ ...plan, tolerance: 0 }).tolerance).toBe(0);
  });
});

const basePlan: TunePlan = {
  functionName: 'f',
  memorySizes: [128],
  invocations: 5,
  parallel: false,
  payloads: [{ name: 'p', payload: '{}', weight: 1 }],
  strategy: 'cost',
  balancedWeight: 0.5,
  coldOnly: false,
  warmup: 1,
  sleepBetweenMs: 0,
  architecture: 'x86_64',
  region: 'us-east-1',
  allowedErrorTypes: [],
  autoApply: false,
};
