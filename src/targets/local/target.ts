import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Engine } from '../../engine/engine.js';
import { validateMemory } from '../../engine/manifest.js';
import type { ConfiguredFunction, Target, TargetEnvironment, TargetFunction, TargetInvokeResult } from '../types.js';

/** The local engine as a target: memory sizes are per-invocation settings, cold starts are forced environments. */
export class LocalTarget implements Target {
  readonly kind = 'local' as const;

  constructor(readonly engine: Engine) {}

  async describe(functionName: string): Promise<TargetFunction> {
    const fn = this.engine.functions.resolve(functionName);
    return { name: fn.name, memoryMB: fn.memorySize, runtime: fn.runtime, architecture: fn.architecture };
  }

  async configure(functionName: string, memoryMB: number): Promise<ConfiguredFunction> {
    this.engine.functions.resolve(functionName);
    return { functionName, memoryMB: validateMemory(memoryMB) };
  }

  async invoke(fn: ConfiguredFunction, payload: string, options: { cold: boolean }): Promise<TargetInvokeResult> {
    const started = performance.now();
    const result = await this.engine.invoke({
      functionName: fn.functionName,
      payload,
      memoryMB: fn.memoryMB,
      forceCold: options.cold,
      ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
    });
    const clientMs = performance.now() - started;
    const text = result.payload.toString('utf8');
    return {
      requestId: result.requestId,
      payload: text,
      functionError: result.functionError,
      errorType: result.errorType,
      ...(result.errorType ? { errorMessage: errorMessageOf(text) } : {}),
      report: result.report,
      cold: result.cold,
      clientMs,
      cpuCapped: result.cpuCapped,
      ...(result.runtimeVersion ? { runtimeVersion: result.runtimeVersion } : {}),
    };
  }

  async applyMemory(functionName: string, memoryMB: number): Promise<void> {
    this.engine.functions.updateConfiguration(functionName, { memorySize: memoryMB });
  }

  async environment(): Promise<TargetEnvironment> {
    return {
      target: 'local',
      region: this.engine.region,
      isolation: this.engine.isolation,
      hostCpus: this.engine.hostCpus,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      initCpuBoost: this.engine.initCpuBoost,
      limitsNotApplied: this.engine.limitsNotApplied(),
      network: this.engine.describeNetwork(),
    };
  }

  visibleCpus(memoryMB: number): number {
    return this.engine.visibleCpus(memoryMB);
  }

  maxFullCpuMemoryMB(): number {
    return Math.floor(this.engine.hostCpus * 1769);
  }

  async cleanup(): Promise<void> {}
}

export function errorMessageOf(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : payload.slice(0, 500);
  } catch {
    return payload.slice(0, 500);
  }
}
