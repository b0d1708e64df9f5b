import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCgroupV1Driver, v1Locations } from './cgroup-v1/driver.js';
import { cpusForMemory, describeIsolation, detectDriver } from './detect.js';
import { noneDriver } from './none/driver.js';
import { sandboxContract } from './sandbox.contract.js';

const isolation = await describeIsolation();

sandboxContract('none', async () => noneDriver, false);

describe.skipIf(!isolation.usable['cgroup-v1'].usable)(
  `cgroup-v1 (${isolation.usable['cgroup-v1'].reason ?? 'usable'})`,
  () => {
    sandboxContract('cgroup-v1', () => detectDriver('cgroup-v1'), true);

    it('removes the sandboxes of a crashed engine at start', async () => {
      const locations = v1Locations();
      if ('missing' in locations) throw new Error(locations.missing);
      // A pid far above pid_max cannot be alive.
      const stale = path.join(locations.cpu, 'lambench-4194999', 'left-over');
      mkdirSync(stale, { recursive: true });
      const removed = await createCgroupV1Driver(locations).cleanupStale();
      expect(removed).toBeGreaterThanOrEqual(1);
      expect(existsSync(path.dirname(stale))).toBe(false);
    });
  },
);

describe.skipIf(!isolation.usable['cgroup-v2'].usable)(
  `cgroup-v2 (${isolation.usable['cgroup-v2'].reason ?? 'usable'})`,
  () => {
    sandboxContract('cgroup-v2', () => detectDriver('cgroup-v2'), true);
  },
);

describe('detection', () => {
  it('reports every driver with a reason when unusable, and none is always usable', () => {
    expect(isolation.usable.none.usable).toBe(true);
    for (const status of Object.values(isolation.usable)) if (!status.usable) expect(status.reason).toBeTruthy();
  });

  it('refuses an explicit driver that cannot work instead of falling back', async () => {
    const unusable = Object.entries(isolation.usable).find(([, s]) => !s.usable)?.[0];
    if (unusable)
      await expect(detectDriver(unusable as 'cgroup-v2')).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
  });

  it('gives memory / 1769 vCPU, capped by the host', () => {
    expect(cpusForMemory(1769, 2)).toEqual({ cpus: 1, capped: false });
    expect(cpusForMemory(10240, 2)).toEqual({ cpus: 2, capped: true });
    expect(cpusForMemory(128, 2).cpus).toBeCloseTo(0.0724, 3);
  });
});
