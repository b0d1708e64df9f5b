import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ANNOUNCE_EXEC, engineFolder, enginePrefix, isAlive } from './cgroupfs.js';
import type { AppliedLimits, Sandbox, SandboxDriver, SandboxLimits } from './types.js';

const run = promisify(execFile);

/** Disk-backed by convention (unlike /tmp, often a tmpfs): the images must not live in the host's memory. */
export const TMP_ROOT = '/var/tmp/lambench';
/** AWS's default and largest /tmp (EphemeralStorage), MB. */
export const DEFAULT_TMP_MB = 512;

const tool = (name: string) =>
  ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((d) => path.join(d, name)).find(existsSync);

/** Why a private /tmp cannot be given here, or null when it can. */
export function privateTmpUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root (a mount namespace and a loop device)';
  const missing = ['unshare', 'mkfs.ext4', 'mount', 'umount'].filter((t) => !tool(t));
  if (missing.length) return `${missing.join(', ')} not found (apt-get install util-linux e2fsprogs mount)`;
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control)';
  return null;
}

const hostTmp = (() => {
  try {
    return realpathSync('/tmp');
  } catch {
    return '/tmp';
  }
})();

/** True for a path in the host's /tmp (through symlinks too), which the runtime could not see under a private one. */
function underTmp(file: string): boolean {
  let real = path.resolve(file);
  try {
    real = realpathSync(real);
  } catch {
    // Not there (yet): judge the path as written.
  }
  return real === hostTmp || real.startsWith(`${hostTmp}/`) || real === '/tmp' || real.startsWith('/tmp/');
}

/** Mount points under `dir` in this process's mount namespace, deepest first. */
function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

async function unmountAndRemove(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) await run(tool('umount') as string, ['-l', point]).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

/**
 * An environment's own /tmp of its EphemeralStorage size, as on Lambda: an ext4 image (sparse, so it costs disk
 * only as it fills) loop-mounted under TMP_ROOT, then bind-mounted over /tmp in a mount namespace of the runtime's
 * own. Full → ENOSPC, as on AWS; files are private to the environment and go with it. Page-cache pages of the files
 * count against the function's memory, as in Lambda's microVM.
 */
class PrivateTmpSandbox implements Sandbox {
  readonly applied: AppliedLimits;

  constructor(
    readonly inner: Sandbox,
    readonly mountPoint: string,
    tmpMB: number,
  ) {
    this.applied = { ...inner.applied, tmpMB };
  }

  get id() {
    return this.inner.id;
  }
  get kind() {
    return this.inner.kind;
  }
  get detached() {
    return this.inner.detached;
  }
  get lifeline() {
    return this.inner.lifeline;
  }

  wrap(command: string, args: readonly string[]) {
    const script = `mount --bind "$0" /tmp || exit 126; ${ANNOUNCE_EXEC}`;
    // The outer wrapper stays quiet and passes descriptor 3 on: the runtime starts after the mount, not before.
    return this.inner.wrap(
      tool('unshare') as string,
      ['--mount', '--propagation', 'private', '/bin/sh', '-c', script, this.mountPoint, command, ...args],
      false,
    );
  }

  attach(pid: number) {
    this.inner.attach(pid);
  }
  setCpu(cpus: number | null) {
    this.inner.setCpu(cpus);
  }
  freeze() {
    this.inner.freeze();
  }
  thaw() {
    this.inner.thaw();
  }
  peakMemoryBytes() {
    return this.inner.peakMemoryBytes();
  }
  oomKilled() {
    return this.inner.oomKilled();
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
    const dir = path.dirname(this.mountPoint);
    await unmountAndRemove(dir);
    try {
      rmdirSync(path.dirname(dir));
    } catch {
      // Another environment of this engine still has its /tmp there.
    }
  }
}

/** The driver, with a private /tmp per environment where the host allows it (else `notApplied` says why not). */
export function withPrivateTmp(driver: SandboxDriver): SandboxDriver {
  let unavailable = privateTmpUnavailable();
  return {
    kind: driver.kind,
    ...(driver.setup ? { setup: driver.setup } : {}),
    async cleanupStale() {
      const result = await driver.cleanupStale();
      if (unavailable === null && existsSync(TMP_ROOT)) {
        for (const name of readdirSync(TMP_ROOT)) {
          const pid = Number(name.slice(enginePrefix.length));
          if (name.startsWith(enginePrefix) && pid !== process.pid && !isAlive(pid))
            await unmountAndRemove(path.join(TMP_ROOT, name));
        }
      }
      return result;
    },
    async create(id: string, limits: SandboxLimits) {
      const sandbox = await driver.create(id, limits);
      const tmpMB = limits.tmpMB;
      if (!tmpMB) return sandbox;
      if (unavailable !== null) {
        sandbox.applied.notApplied.push(`/tmp: shared with the host and not limited to ${tmpMB} MB (${unavailable})`);
        return sandbox;
      }
      const hidden = (limits.hostPaths ?? []).find(underTmp);
      if (hidden) {
        sandbox.applied.notApplied.push(
          `/tmp: shared with the host and not limited to ${tmpMB} MB (the runtime needs ${hidden}, which a private /tmp would hide; keep the project and --data-dir outside /tmp)`,
        );
        return sandbox;
      }
      const dir = path.join(TMP_ROOT, engineFolder(), id);
      try {
        mkdirSync(path.join(dir, 'tmp'), { recursive: true });
        const image = path.join(dir, 'tmp.ext4');
        await run('truncate', ['-s', `${tmpMB}M`, image]);
        // No journal, no reserved blocks, lazy inode tables: a few ms to make, and all of it usable.
        await run(tool('mkfs.ext4') as string, [
          '-q',
          '-F',
          '-m',
          '0',
          '-O',
          '^has_journal',
          '-E',
          'lazy_itable_init=1,nodiscard',
          image,
        ]);
        await run(tool('mount') as string, ['-o', 'loop,nosuid,nodev', image, path.join(dir, 'tmp')]);
        await run('chmod', ['1777', path.join(dir, 'tmp')]);
        return new PrivateTmpSandbox(sandbox, path.join(dir, 'tmp'), tmpMB);
      } catch (error) {
        // A host that looked able but is not (no free loop device in a container): the host's /tmp, said once
        // per environment, and not tried again.
        await unmountAndRemove(dir);
        unavailable = `making it failed: ${String((error as Error).message).split('\n')[0]}`;
        sandbox.applied.notApplied.push(`/tmp: shared with the host and not limited to ${tmpMB} MB (${unavailable})`);
        return sandbox;
      }
    },
  };
}
