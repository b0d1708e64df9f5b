import type { Engine } from '../engine/engine.js';
import { createLocalEngine, resolveFunctionArgument } from '../engine/index.js';
import { LambenchError } from '../errors.js';
import { AwsTarget } from '../targets/aws/target.js';
import { LocalTarget } from '../targets/local/target.js';
import type { Target } from '../targets/types.js';

export interface OpenedTarget {
  target: Target;
  functionName: string;
  close(): Promise<void>;
}

/** `--target local` (default) starts an engine; `--target aws` uses the SDK's own credential and endpoint chain. */
export async function openTarget(
  kind: string | undefined,
  functionRef: string,
  options: { isolation?: string; initCpuBoost?: boolean } = {},
): Promise<OpenedTarget> {
  if (kind === undefined || kind === 'local') {
    const engine: Engine = await createLocalEngine({
      isolation: (options.isolation as 'auto') ?? 'auto',
      initCpuBoost: options.initCpuBoost ?? true,
    });
    try {
      const functionName = await resolveFunctionArgument(engine, functionRef);
      return { target: new LocalTarget(engine), functionName, close: () => engine.close() };
    } catch (error) {
      await engine.close();
      throw error;
    }
  }
  if (kind === 'aws') {
    const target = new AwsTarget();
    return { target, functionName: functionRef, close: async () => target.client.destroy() };
  }
  throw new LambenchError('INVALID_ARGUMENT', `Unknown target "${kind}".`, 'Use --target local or --target aws.');
}
