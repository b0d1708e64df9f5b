import { cpuExperiment } from './cpu.js';
import { csvEtlExperiment } from './csv-etl/experiment.js';
import { fanoutExperiment } from './fanout.js';
import { launchExperiment } from './launch.js';
import { onnxExperiment } from './onnx/experiment.js';
import { apiCallsExperiment, dedupeExperiment, s3DownloadExperiment } from './s3-workloads.js';
import type { Experiment } from './types.js';

/** The built-in suites, in the order `run all` takes them. */
export const EXPERIMENTS: readonly Experiment[] = [
  cpuExperiment,
  launchExperiment,
  csvEtlExperiment,
  fanoutExperiment,
  s3DownloadExperiment,
  apiCallsExperiment,
  dedupeExperiment,
  onnxExperiment,
];
