import { spawn, spawnSync } from 'node:child_process';
import { needsDelegation, v2Hierarchy } from '../sandbox/cgroup-v2/placement.js';

/** Set in the re-run command, so it never asks again (and `doctor` can say what happened). */
export const DELEGATED_ENV = 'LAMBENCH_DELEGATED';
const SCOPE = ['--user', '--scope', '-p', 'Delegate=yes', '--quiet'];
/** Commands that start a local engine, and so need cgroups. */
const ENGINE_COMMANDS = new Set(['invoke', 'serve', 'run', 'tune', 'doctor']);

function systemdRun(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v systemd-run'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Whether this command should ask systemd for a delegated cgroup before it starts an engine. */
function wantsDelegation(argv: readonly string[]): boolean {
  if (process.platform !== 'linux' || process.getuid?.() === 0 || process.env[DELEGATED_ENV]) return false;
  if (!ENGINE_COMMANDS.has(argv[0] ?? '')) return false;
  // An explicit isolation is the user's choice; AWS runs need no local cgroups.
  if (argv.some((a) => a === '--isolation' || a.startsWith('--isolation='))) return false;
  if (argv.some((a, i) => a === '--target' && argv[i + 1] === 'aws')) return false;
  const hierarchy = v2Hierarchy();
  return !('missing' in hierarchy) && needsDelegation(hierarchy);
}

/**
 * A user on a cgroup v2 host with no cgroup of their own gets `none` (no CPU share, no memory limit). systemd's user
 * manager hands out delegated cgroups: as `systemd-run --user --scope -p Delegate=yes lambench …` would, this re-runs
 * the same command in one, where the cgroup-v2 driver works. Returns the command's exit code, or null to run here
 * (root, not cgroup v2, already delegated, no systemd-run, or systemd refusing — then `doctor` says what to do).
 */
export async function runDelegated(argv: readonly string[], entry: string): Promise<number | null> {
  if (!wantsDelegation(argv)) return null;
  const tool = systemdRun();
  if (!tool) return null;
  // Ask once with a no-op: a failure here (no user manager, no D-Bus) is systemd's, not the command's.
  if (spawnSync(tool, [...SCOPE, 'true'], { stdio: 'ignore', timeout: 10_000 }).status !== 0) return null;
  // Its own process group: a terminal's Ctrl-C reaches only this process, which passes it on once (a second
  // signal would make the command exit before it has removed its cgroups).
  const child = spawn(tool, [...SCOPE, '--', process.execPath, ...process.execArgv, entry, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [DELEGATED_ENV]: '1' },
    detached: true,
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9));
    }),
  );
}
