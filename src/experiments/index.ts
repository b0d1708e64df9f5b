import { cpuExperiment } from './cpu.js';
import { csvEtlExperiment } from './csv-etl/experiment.js';
import { fanoutExperiment } from './fanout.js';
import { launchExperiment } from './launch.js';
import type { Experiment } from './types.js';

/** The built-in suites, in the order `run all` takes them. */
export const EXPERIMENTS: readonly Experiment[] = [cpuExperiment, launchExperiment, csvEtlExperiment, fanoutExperiment];

/** Experiments of the brief that are not built yet, so `run` can say so instead of "unknown". */
export const NOT_BUILT: Record<string, string> = {
  's3-download': 'the s3-download workloads are not built yet',
  'api-calls': 'the api-calls workloads are not built yet',
  dedupe: 'the dedupe workloads are not built yet',
  onnx: 'the onnx workload (onnxruntime-node with a generated model) is not built yet',
};
