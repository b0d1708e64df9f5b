export { type BootstrapOptions, durationInterval, fitWithBootstrap, type SampledPoint } from './bootstrap.js';
export {
  cpuLimit,
  type DurationModel,
  type DurationPoint,
  describeModel,
  fitDurationModel,
  modelDuration,
  type SizeCpu,
} from './duration-model.js';
export { durationPointsOf, measuredCpu, sampledPoints, sampledPointsOf } from './from-tune.js';
