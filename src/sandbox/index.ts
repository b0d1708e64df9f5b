export { awsVisibleCpus, visibleCpusForMemory } from './cpus.js';
export { cpusForMemory, describeIsolation, detectDriver, hostCpus, MB_PER_VCPU } from './detect.js';
export { noneDriver } from './none/driver.js';
export type { AppliedLimits, IsolationKind, Sandbox, SandboxDriver, SandboxLimits, StaleCleanup } from './types.js';
