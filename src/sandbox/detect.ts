import { mkdirSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LambenchError } from '../errors.js';
import { createCgroupV1Driver, v1Locations } from './cgroup-v1/driver.js';
import { createCgroupV2Driver, v2Location } from './cgroup-v2/driver.js';
import { noneDriver } from './none/driver.js';
import type { IsolationKind, SandboxDriver } from './types.js';

/** AWS: 1,769 MB of memory = one vCPU. */
export const MB_PER_VCPU = 1769;

export function hostCpus(): number {
  return os.availableParallelism();
}

/** vCPUs for a memory size, capped by the host's cores (`capped` says when the host cannot give AWS's share). */
export function cpusForMemory(memoryMB: number, cpus = hostCpus()): { cpus: number; capped: boolean } {
  const wanted = memoryMB / MB_PER_VCPU;
  return wanted > cpus ? { cpus, capped: true } : { cpus: wanted, capped: false };
}

type Probe = { usable: true; driver: SandboxDriver } | { usable: false; reason: string };

/** A driver counts as usable only if a sandbox can really be created and removed under our own cgroup. */
async function probe(driver: SandboxDriver): Promise<Probe> {
  try {
    const sandbox = await driver.create(`probe-${process.pid}-${Date.now()}`, { memoryMB: 128, cpus: 1 });
    await sandbox.destroy();
    return { usable: true, driver };
  } catch (error) {
    return { usable: false, reason: `cannot create a cgroup here: ${(error as Error).message}` };
  }
}

async function probeV2(): Promise<Probe> {
  const location = v2Location();
  if ('missing' in location) return { usable: false, reason: location.missing };
  return probe(createCgroupV2Driver(location.dir));
}

async function probeV1(): Promise<Probe> {
  let locations: ReturnType<typeof v1Locations>;
  try {
    locations = v1Locations();
  } catch (error) {
    return { usable: false, reason: (error as Error).message };
  }
  if ('missing' in locations) return { usable: false, reason: locations.missing };
  try {
    const test = path.join(locations.cpu, `lambench-write-test-${process.pid}`);
    mkdirSync(test);
    rmdirSync(test);
  } catch (error) {
    return { usable: false, reason: `the cpu controller is not writable: ${(error as Error).message}` };
  }
  return probe(createCgroupV1Driver(locations));
}

export async function describeIsolation(): Promise<{
  kind: IsolationKind;
  usable: Record<IsolationKind, { usable: boolean; reason?: string }>;
}> {
  const v2 = await probeV2();
  const v1 = await probeV1();
  const usable = {
    'cgroup-v2': v2.usable ? { usable: true } : { usable: false, reason: v2.reason },
    'cgroup-v1': v1.usable ? { usable: true } : { usable: false, reason: v1.reason },
    none: { usable: true },
  };
  const kind: IsolationKind = v2.usable ? 'cgroup-v2' : v1.usable ? 'cgroup-v1' : 'none';
  return { kind, usable };
}

/** `auto` picks cgroup v2, then v1, then none; an explicit choice that cannot work is an error, not a fallback. */
export async function detectDriver(preferred: IsolationKind | 'auto' = 'auto'): Promise<SandboxDriver> {
  if (preferred === 'none') return noneDriver;
  if (preferred === 'cgroup-v2' || preferred === 'cgroup-v1') {
    const result = preferred === 'cgroup-v2' ? await probeV2() : await probeV1();
    if (result.usable) return result.driver;
    throw new LambenchError(
      'SANDBOX_UNAVAILABLE',
      `Isolation ${preferred} is not usable on this host: ${result.reason}.`,
      'Run `lambench doctor` to see what this host offers, or use --isolation auto.',
    );
  }
  if (preferred !== 'auto') {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `Unknown isolation "${String(preferred)}".`,
      'Use auto, cgroup-v2, cgroup-v1 or none.',
    );
  }
  const v2 = await probeV2();
  if (v2.usable) return v2.driver;
  const v1 = await probeV1();
  if (v1.usable) return v1.driver;
  return noneDriver;
}
