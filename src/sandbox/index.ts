export { cpusForMemory, describeIsolation, detectDriver, hostCpus, MB_PER_VCPU } from './detect.js';
export { noneDriver } from './none/driver.js';
export type { IsolationKind, Sandbox, SandboxDriver, SandboxLimits, StaleCleanup } from './types.js';
