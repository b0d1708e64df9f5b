import { mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { LambenchError } from '../errors.js';
import { createCgroupV1Driver, v1Locations } from './cgroup-v1/driver.js';
import { createCgroupV2Driver } from './cgroup-v2/driver.js';
import { placeV2, v2Hierarchy } from './cgroup-v2/placement.js';
import { noneDriver } from './none/driver.js';
import { withPrivateTmp } from './tmp.js';
import type { IsolationKind, SandboxDriver } from './types.js';

export { cpusForMemory, hostCpus, MB_PER_VCPU } from './cpus.js';

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
  const hierarchy = v2Hierarchy();
  if ('missing' in hierarchy) return { usable: false, reason: hierarchy.missing };
  let placement: ReturnType<typeof placeV2>;
  try {
    placement = placeV2(hierarchy);
  } catch (error) {
    return { usable: false, reason: (error as Error).message };
  }
  return probe(createCgroupV2Driver(placement));
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

export interface IsolationReport {
  kind: IsolationKind;
  usable: Record<IsolationKind, { usable: boolean; reason?: string }>;
  /** What lambench did to the host's cgroups to use the chosen driver (moved processes, enabled controllers). */
  setup: string[];
  /** With `none`: what the numbers mean and what to run to get real isolation. */
  advice?: string;
}

export async function describeIsolation(): Promise<IsolationReport> {
  const v2 = await probeV2();
  const v1 = await probeV1();
  const usable = {
    'cgroup-v2': v2.usable ? { usable: true } : { usable: false, reason: v2.reason },
    'cgroup-v1': v1.usable ? { usable: true } : { usable: false, reason: v1.reason },
    none: { usable: true },
  };
  const chosen = v2.usable ? v2.driver : v1.usable ? v1.driver : undefined;
  const kind: IsolationKind = chosen?.kind ?? 'none';
  return {
    kind,
    usable,
    setup: [
      ...(process.env.LAMBENCH_DELEGATED && chosen
        ? ['ran itself in a delegated cgroup (systemd-run --user --scope -p Delegate=yes)']
        : []),
      ...(chosen?.setup ?? []),
    ],
    ...(kind === 'none' ? { advice: noneAdvice() } : {}),
  };
}

/** The one thing to run instead, for the host lambench finds itself on. */
function noneAdvice(): string {
  const unconstrained =
    'Under none, every memory size gets the whole host: durations do not change with memory and nothing is killed at its limit.';
  if (process.platform !== 'linux') {
    return `${unconstrained} Run lambench in a Linux container with its own cgroup namespace: docker run --rm -it --privileged --cgroupns=private -v "$PWD":/work -w /work node:20 npx lambench …`;
  }
  if (process.getuid?.() !== 0) {
    return `${unconstrained} Run it in a delegated cgroup: systemd-run --user --scope -p Delegate=yes --quiet npx lambench … (or as root: sudo npx lambench …).`;
  }
  return `${unconstrained} Mount cgroup2 with the cpu and memory controllers (or give the container --privileged --cgroupns=private).`;
}

/** `auto` picks cgroup v2, then v1, then none; an explicit choice that cannot work is an error, not a fallback. */
export async function detectDriver(preferred: IsolationKind | 'auto' = 'auto'): Promise<SandboxDriver> {
  if (preferred === 'none') return withPrivateTmp(noneDriver);
  if (preferred === 'cgroup-v2' || preferred === 'cgroup-v1') {
    const result = preferred === 'cgroup-v2' ? await probeV2() : await probeV1();
    if (result.usable) return withPrivateTmp(result.driver);
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
  if (v2.usable) return withPrivateTmp(v2.driver);
  const v1 = await probeV1();
  if (v1.usable) return withPrivateTmp(v1.driver);
  return withPrivateTmp(noneDriver);
}
