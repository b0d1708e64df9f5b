import { parseFunctionRef } from '../../engine/arn.js';
import { LambenchError } from '../../errors.js';
import type { ConfiguredFunction, Target, TargetInvokeResult } from '../../targets/types.js';

export interface Processors {
  preProcessorARN?: string;
  postProcessorARN?: string;
}

/**
 * A target that runs PowerTuning's pre- and post-processors around every invocation of the tuned function
 * (utils.invokeLambdaWithProcessors): the pre-processor gets the payload and, when it returns something non-empty,
 * its output replaces it; the post-processor gets the function's output, failed or not. Neither is measured: the
 * tuner only sees the function's own result. A failing processor fails the run, as it fails the state machine;
 * `failure` keeps the first one so the caller can say so after the results are written.
 */
export class ProcessorTarget implements Target {
  failure: LambenchError | undefined;
  readonly #processors = new Map<string, ConfiguredFunction>();

  readonly publishAlias?: Target['publishAlias'];

  constructor(
    readonly inner: Target,
    readonly processors: Processors,
  ) {
    const publish = inner.publishAlias?.bind(inner);
    if (publish) this.publishAlias = publish;
  }

  get kind() {
    return this.inner.kind;
  }

  /** Locally a processor is the function named by its ARN's name; on AWS its ARN ($LATEST, its own memory). */
  async #processor(arn: string): Promise<ConfiguredFunction> {
    let fn = this.#processors.get(arn);
    if (!fn) {
      const ref = this.inner.kind === 'local' ? parseFunctionRef(arn).name : arn;
      const described = await this.inner.describe(ref);
      fn = { functionName: this.inner.kind === 'local' ? described.name : arn, memoryMB: described.memoryMB };
      this.#processors.set(arn, fn);
    }
    return fn;
  }

  async #run(kind: 'Pre' | 'Post', arn: string, payload: string): Promise<TargetInvokeResult> {
    const result = await this.inner.invoke(await this.#processor(arn), payload, { cold: false });
    if (result.functionError) {
      this.failure ??= new LambenchError(
        'PROCESSOR_FAILED',
        `${kind}Processor ${arn} failed: ${result.errorType ?? 'Error'}: ${result.errorMessage ?? result.payload}`,
        `Fix the ${kind.toLowerCase()}-processor (PowerTuning stops the execution on this error too).`,
      );
      throw this.failure;
    }
    return result;
  }

  async invoke(fn: ConfiguredFunction, payload: string, options: { cold: boolean }): Promise<TargetInvokeResult> {
    let actual = payload;
    if (this.processors.preProcessorARN) {
      const pre = await this.#run('Pre', this.processors.preProcessorARN, payload);
      // PowerTuning: "If the pre-processor returns a non-empty output, it will overwrite the original payload".
      if (pre.payload !== '' && pre.payload !== 'null') actual = pre.payload;
    }
    const result = await this.inner.invoke(fn, actual, options);
    if (this.processors.postProcessorARN) await this.#run('Post', this.processors.postProcessorARN, result.payload);
    return result;
  }

  describe: Target['describe'] = (name) => this.inner.describe(name);
  configure: Target['configure'] = (name, memoryMB) => this.inner.configure(name, memoryMB);
  applyMemory: Target['applyMemory'] = (name, memoryMB) => this.inner.applyMemory(name, memoryMB);
  environment: Target['environment'] = () => this.inner.environment();
  maxFullCpuMemoryMB: Target['maxFullCpuMemoryMB'] = () => this.inner.maxFullCpuMemoryMB();
  visibleCpus: Target['visibleCpus'] = (memoryMB) => this.inner.visibleCpus(memoryMB);
  cleanup: Target['cleanup'] = () => this.inner.cleanup();
}
