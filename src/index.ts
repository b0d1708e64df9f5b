/** lambench's library API: the CLI is a thin layer over exactly these. */
export { main } from './cli/main.js';
export {
  type CommandFlags,
  defineConfig,
  type LambenchConfig,
  loadConfigFile,
  loadProjectConfig,
  type SharedConfig,
} from './config/index.js';
export { createLambdaHandler, startLambdaServer } from './engine/http/server.js';
export type { EngineOptions, LocalEngineOptions } from './engine/index.js';
export { createLocalEngine, Engine, resolveFunctionArgument } from './engine/index.js';
export { parseReportLine, reportLine } from './engine/logs.js';
export type { FunctionManifest, FunctionVersion, InvokeRequest, InvokeResult, Report } from './engine/types.js';
export { AwsError, type ErrorCode, LambenchError } from './errors.js';
export { EXPERIMENTS } from './experiments/index.js';
export { type RunOptions, runExperiments } from './experiments/run.js';
export type { ClaimCheck, Experiment, ExperimentContext, ExperimentOutcome } from './experiments/types.js';
export {
  type DurationModel,
  type DurationPoint,
  fitDurationModel,
  modelDuration,
} from './model/index.js';
export { costPer1M, invocationCost, monthlyCost, REGION_PRICES } from './pricing/index.js';
export {
  compareVisualizationUrl,
  decodeCompareVisualizationUrl,
  decodeVisualizationUrl,
  renderCsv,
  renderHtml,
  renderMarkdown,
  visualizationUrl,
  writeReportFolder,
} from './report/index.js';
export { runtimeAdapters } from './runtimes/index.js';
export type { IsolationKind, Sandbox, SandboxDriver } from './sandbox/index.js';
export { cpusForMemory, describeIsolation, detectDriver } from './sandbox/index.js';
export { startDynamoDb } from './services/dynamodb/index.js';
export { startLocalServices } from './services/index.js';
export { createS3Handler, startS3Server } from './services/s3/index.js';
export { AwsTarget } from './targets/aws/target.js';
export { LocalTarget } from './targets/local/target.js';
export type { Target, TargetInvokeResult } from './targets/types.js';
export { readTemplate, registerTemplate, type TemplateFunction } from './template/index.js';
export { DEFAULT_MEMORY_SIZES, parseMemoryList, type TunePlan, validatePlan } from './tuner/plan.js';
export { type ExecutionInput, type PowerTuningOutput, powerTuningOutput } from './tuner/powertuning/index.js';
export { summarize } from './tuner/stats.js';
export { chooseBest } from './tuner/strategy.js';
export { tune } from './tuner/tune.js';
export type { ConfigResult, InvocationRecord, TuneResult } from './tuner/types.js';
