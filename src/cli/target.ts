import type { Engine } from '../engine/engine.js';
import { createLocalEngine, resolveFunctionArgument } from '../engine/index.js';
import { LambenchError } from '../errors.js';
import { DEFAULT_NETWORK_MODEL, parseNetworkOption } from '../services/network/index.js';
import { confirmRegion, regionConfig } from '../targets/aws/region.js';
import { AwsTarget } from '../targets/aws/target.js';
import { LocalTarget } from '../targets/local/target.js';
import type { Target } from '../targets/types.js';

export interface OpenedTarget {
  target: Target;
  functionName: string;
  close(): Promise<void>;
}

export interface SignalAbort {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Aborts on the first SIGINT/SIGTERM, so waits for AWS to apply a change end (INTERRUPTED) and cleanup runs.
 * `once`: a second Ctrl-C finds no listener and ends the process as usual.
 */
export function abortOnSignal(): SignalAbort {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}

/**
 * The tuner calls cleanup() in a finally, where a thrown failure would replace the results it is about to print.
 * In the CLI the failure is kept and thrown by close() after the output: the list of leftovers, exit code 1.
 */
class CliAwsTarget extends AwsTarget {
  #failure: unknown;

  override async cleanup(): Promise<void> {
    try {
      await super.cleanup();
      this.#failure = undefined;
    } catch (error) {
      this.#failure = error;
    }
  }

  takeFailure(): unknown {
    const failure = this.#failure;
    this.#failure = undefined;
    return failure;
  }
}

/**
 * `--target local` (default) starts an engine; `--target aws` uses the SDK's own credential and endpoint chain, in
 * the region of the function's ARN, else `region` (--region), else the SDK's (AWS_REGION, profile).
 */
export async function openTarget(
  kind: string | undefined,
  functionRef: string,
  options: { isolation?: string; initCpuBoost?: boolean; region?: string; network?: string } = {},
): Promise<OpenedTarget> {
  if (kind === undefined || kind === 'local') {
    const engine: Engine = await createLocalEngine({
      isolation: (options.isolation as 'auto') ?? 'auto',
      initCpuBoost: options.initCpuBoost ?? true,
      network: parseNetworkOption(options.network, DEFAULT_NETWORK_MODEL),
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
    const config = regionConfig(functionRef, options.region);
    const interrupt = abortOnSignal();
    const target = new CliAwsTarget(config, { signal: interrupt.signal });
    const close = async () => {
      interrupt.dispose();
      target.client.destroy();
      const failure = target.takeFailure();
      if (failure) throw failure;
    };
    await confirmRegion(target.client).catch(async (error: unknown) => {
      await close();
      throw error;
    });
    return { target, functionName: functionRef, close };
  }
  throw new LambenchError('INVALID_ARGUMENT', `Unknown target "${kind}".`, 'Use --target local or --target aws.');
}
