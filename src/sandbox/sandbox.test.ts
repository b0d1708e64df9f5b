import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createCgroupV1Driver, v1Locations } from './cgroup-v1/driver.js';
import { wrapInCgroups } from './cgroupfs.js';
import { cpusForMemory, describeIsolation, detectDriver } from './detect.js';
import { sandboxContract } from './sandbox.contract.js';

const isolation = await describeIsolation();

sandboxContract('none', () => detectDriver('none'), false);

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
      const { removed } = await createCgroupV1Driver(locations).cleanupStale();
      expect(removed).toBeGreaterThanOrEqual(1);
      expect(existsSync(path.dirname(stale))).toBe(false);
    });

    it("thaws and kills a crashed engine's frozen tasks, then removes its folders in every controller", async () => {
      const locations = v1Locations();
      if ('missing' in locations) throw new Error(locations.missing);
      const dirs = (['cpu', 'memory', 'freezer'] as const).map((c) =>
        path.join(locations[c], 'lambench-4194998', 'frozen'),
      );
      for (const dir of dirs) mkdirSync(dir, { recursive: true });
      const freezer = dirs[2] as string;
      const { command, args } = wrapInCgroups(
        dirs.map((dir) => path.join(dir, 'cgroup.procs')),
        'sleep',
        ['300'],
      );
      const child = spawn(command, args, { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      try {
        for (let i = 0; i < 500 && !readFileSync(path.join(freezer, 'cgroup.procs'), 'utf8').trim(); i++)
          await sleep(10);
        writeFileSync(path.join(freezer, 'freezer.state'), 'FROZEN');
        for (let i = 0; i < 500 && !readFileSync(path.join(freezer, 'freezer.state'), 'utf8').startsWith('FROZEN'); i++)
          await sleep(10);
        const result = await createCgroupV1Driver(locations).cleanupStale();
        for (const dir of dirs) expect(existsSync(path.dirname(dir))).toBe(false);
        expect(result.failed).toEqual([]);
        expect(result.removed).toBeGreaterThanOrEqual(3);
        await exited;
        expect(child.signalCode).toBe('SIGKILL');
      } finally {
        // Never leave the task or the folders behind, even when an assertion failed.
        if (existsSync(freezer)) writeFileSync(path.join(freezer, 'freezer.state'), 'THAWED');
        child.kill('SIGKILL');
        await exited;
        for (const dir of dirs) for (const d of [dir, path.dirname(dir)]) if (existsSync(d)) rmdirSync(d);
      }
    });

    it('reports the folders it could not remove instead of leaving them silently', async () => {
      const locations = v1Locations();
      if ('missing' in locations) throw new Error(locations.missing);
      // A cgroup with a child cgroup cannot be removed (EBUSY), whatever is killed.
      const stuck = path.join(locations.cpu, 'lambench-4194997', 'stuck');
      mkdirSync(path.join(stuck, 'nested'), { recursive: true });
      try {
        const result = await createCgroupV1Driver(locations).cleanupStale();
        expect(result.failed).toContain(stuck);
      } finally {
        for (const d of [path.join(stuck, 'nested'), stuck, path.dirname(stuck)]) if (existsSync(d)) rmdirSync(d);
      }
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
