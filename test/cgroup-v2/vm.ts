import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The whole VM run's bound: five situations under software emulation took 1,821 s on a quiet host and over 2,400 s
 * with other work on it; past this (50 min; CI's other tests take
 * about 35) the VM is killed and every situation reports what it reached.
 */
export const VM_TIMEOUT_MS = 3_000_000;

/** What booting the cgroup v2 VM needs, or the one line that says what to install. */
export type VmTools = { vng: string; kernel: string } | { missing: string };

const INSTALL =
  'apt-get install qemu-system-x86 linux-image-amd64 busybox-static && pip install virtme-ng (.ci/run does this)';

function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** A script pip installed next to the real interpreter (python3 on PATH may be a pyenv shim not yet rehashed). */
function besidePython(name: string): string | undefined {
  const found = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const file = found.status === 0 ? path.join(path.dirname(found.stdout.trim()), name) : '';
  return file && existsSync(file) ? file : undefined;
}

/** A Debian kernel (linux-image-amd64) that virtme-ng can boot with the host's own filesystem as root. */
function kernel(): string | undefined {
  const images = existsSync('/boot') ? readdirSync('/boot').filter((f) => /^vmlinuz-.*amd64$/.test(f)) : [];
  const withModules = images.filter((f) => existsSync(path.join('/lib/modules', f.slice('vmlinuz-'.length))));
  const newest = withModules.sort().at(-1);
  return newest ? path.join('/boot', newest) : undefined;
}

export function vmTools(): VmTools {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return { missing: 'needs root on Linux' };
  const vng = onPath('vng') ?? besidePython('vng');
  const qemu = onPath('qemu-system-x86_64');
  const busybox = onPath('busybox');
  const image = kernel();
  const absent = [!vng && 'vng', !qemu && 'qemu-system-x86_64', !busybox && 'busybox', !image && 'a kernel'].filter(
    Boolean,
  );
  if (absent.length || !vng || !image) return { missing: `${absent.join(', ')} not found: ${INSTALL}` };
  return { vng, kernel: image };
}

export interface VmRun {
  /** Each situation's check.mjs result, by name. */
  results: Record<string, Record<string, unknown>>;
  log: string;
  seconds: number;
}

/**
 * Boots the kernel under software emulation (nested KVM hangs on these hosts) over the host's filesystem and runs
 * in-vm.sh for the situations; results come back through a shared folder.
 */
export async function runInVm(
  tools: { vng: string; kernel: string },
  situations: string[],
  options: { cpus?: number; quick?: boolean; timeoutMs?: number } = {},
) {
  const quick = options.quick ?? false;
  const out = await mkdtemp(path.join(os.tmpdir(), 'lambench-vm-'));
  const script = fileURLToPath(new URL('./in-vm.sh', import.meta.url));
  const started = Date.now();
  const command = `${quick ? 'QUICK=--quick ' : ''}sh ${script} ${out} ${situations.join(' ')}`;
  const args = [
    '-r',
    tools.kernel,
    '--disable-kvm',
    '--cpus',
    String(options.cpus ?? 2),
    '--memory',
    '4G',
    '--rwdir',
    out,
    '--exec',
    command,
  ];
  // A file, not a pipe: virtme-ng hands the guest's output through /proc/self/fd and, given pipes, hangs.
  const logFile = path.join(out, 'console.log');
  const fd = openSync(logFile, 'w');
  await new Promise<void>((resolve) => {
    // Its own process group: on timeout qemu goes with vng, instead of running on without a parent.
    const child = spawn(tools.vng, args, { stdio: ['ignore', fd, fd], detached: true });
    const timer = setTimeout(() => {
      appendFileSync(logFile, `\n[vm.ts] killed after ${options.timeoutMs ?? VM_TIMEOUT_MS} ms\n`);
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs ?? VM_TIMEOUT_MS);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  closeSync(fd);
  const log = readFileSync(logFile, 'utf8');
  const results: VmRun['results'] = {};
  for (const situation of situations) {
    const file = path.join(out, `${situation}.json`);
    if (existsSync(file)) results[situation] = JSON.parse(readFileSync(file, 'utf8'));
  }
  rmSync(out, { recursive: true, force: true });
  return { results, log, seconds: (Date.now() - started) / 1000 } satisfies VmRun;
}
