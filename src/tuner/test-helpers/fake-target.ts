import type { Architecture } from '../../engine/types.js';
import type { Target, TargetInvokeResult } from '../../targets/types.js';
import type { TunePlan } from '../plan.js';

export interface FakeTargetOptions {
  architecture?: Architecture;
  region?: string;
  /** Every second call fails with this error type (Sandbox.Timedout), or none fail when false. */
  flaky?: boolean;
  /** Duration per invocation, by memory size: 12800 / memory ms unless given. */
  durationMs?: (memoryMB: number) => number;
}

/** A Target without an engine: fixed durations, optional failures, so tuner logic is tested in milliseconds. */
export function fakeTarget(options: FakeTargetOptions = {}): Target & { invocations: number } {
  const duration = options.durationMs ?? ((m: number) => 12_800 / m);
  const target = {
    kind: 'local' as const,
    invocations: 0,
    describe: async (name: string) => ({
      name,
      memoryMB: 128,
      runtime: 'nodejs22.x',
      architecture: options.architecture ?? 'x86_64',
    }),
    configure: async (functionName: string, memoryMB: number) => ({ functionName, memoryMB }),
    invoke: async (fn: { memoryMB: number }, _payload: string, invokeOptions: { cold: boolean }) => {
      const failed = options.flaky === true && target.invocations % 2 === 1;
      target.invocations++;
      const ms = duration(fn.memoryMB);
      const result: TargetInvokeResult = {
        requestId: `r${target.invocations}`,
        payload: '{}',
        functionError: failed ? 'Unhandled' : null,
        errorType: failed ? 'Sandbox.Timedout' : null,
        ...(failed ? { errorMessage: 'Task timed out after 1.00 seconds' } : {}),
        report: {
          durationMs: ms,
          billedDurationMs: Math.ceil(ms),
          memorySizeMB: fn.memoryMB,
          maxMemoryUsedMB: 40,
          initDurationMs: invokeOptions.cold ? 100 : null,
        },
        cold: invokeOptions.cold,
        clientMs: ms + 1,
        cpuCapped: false,
      };
      return result;
    },
    applyMemory: async () => {},
    environment: async () => ({ target: 'local' as const, region: options.region ?? 'us-east-1' }),
    maxFullCpuMemoryMB: () => 10_240,
    visibleCpus: () => 2,
    cleanup: async () => {},
  };
  return target;
}

export const fakePlan = (overrides: Partial<TunePlan> = {}): TunePlan => ({
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
  allowedErrorTypes: [],
  autoApply: false,
  ...overrides,
});
