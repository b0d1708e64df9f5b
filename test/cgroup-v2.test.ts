import { beforeAll, describe, expect, it } from 'vitest';
import { runInVm, VM_TIMEOUT_MS, type VmRun, vmTools } from './cgroup-v2/vm.js';

/**
 * lambench on a real cgroup v2 kernel, in the situations users are in (issue 10): a VM booted over this host's own
 * filesystem runs test/cgroup-v2/in-vm.sh, which places check.mjs in each situation. One boot for all of them.
 */
const tools = vmTools();
const ALL_SITUATIONS = ['root', 'host', 'container', 'user', 'systemd-user'] as const;
/**
 * CI runs all but the true root (the plain case: nothing to move, nothing delegated; `host` is root too, and harder)
 * to stay inside its time budget under emulation; LAMBENCH_VM_SITUATIONS=root,host,… picks others.
 */
const SITUATIONS = (
  process.env.LAMBENCH_VM_SITUATIONS?.split(',') ?? ['host', 'container', 'user', 'systemd-user']
).filter((s): s is (typeof ALL_SITUATIONS)[number] => (ALL_SITUATIONS as readonly string[]).includes(s));
/**
 * The situation that also runs the sandbox and engine tests: the delegated non-root user, the least privileged way
 * lambench gets its cgroups. The others run every check but those tests: one such run takes ~16 min under emulation
 * on a slow host, and three went past the VM's 50 min (host, container and user done, systemd-user cut off).
 */
const WITH_VITEST = new Set(['user']);
/** The VM has 3 vCPUs, so the 2 AWS shows a 128 MB function are fewer than the machine's. */
const VM_CPUS = 3;

type Step = Record<string, unknown> & { error?: string };
/** What the VM cannot give: a private /tmp needs root (a mount namespace and a loop device). */
const notApplied = (situation: string) =>
  situation === 'user' || situation === 'systemd-user'
    ? ['/tmp: shared with the host and not limited to 512 MB (needs root (a mount namespace and a loop device))']
    : [];
let run: VmRun;
const step = (situation: string, name: string): Step => {
  const steps = (run.results[situation]?.steps ?? {}) as Record<string, Step>;
  const found = steps[name];
  if (!found) throw new Error(`${situation}: no "${name}" step ran; VM log tail:\n${run.log.slice(-3000)}`);
  if (found.error) throw new Error(`${situation} ${name}: ${found.error}`);
  return found;
};

/** One line per situation: isolation, what the OOM, cores and CPU checks saw, leftovers, the VM's vitest counts. */
function summary(vm: VmRun): string {
  const rows = SITUATIONS.map((situation) => {
    const steps = (vm.results[situation]?.steps ?? {}) as Record<string, Record<string, unknown>>;
    const doctor = steps.doctor?.isolation as { kind?: string } | undefined;
    const cpu = steps.cpu as { ratio?: number } | undefined;
    const left = [steps.leftAfterExit?.cgroups, steps.sigint?.cgroups, steps.sigkill?.cgroupsAfterRestart].flat();
    const vitest = steps.vitest as { passed?: number; failed?: number } | undefined;
    return [
      situation,
      doctor?.kind ?? '?',
      String(steps.oom?.errorType ?? '?'),
      String(steps.cores?.seen ?? '?'),
      cpu?.ratio?.toFixed(2) ?? '?',
      String(left.filter(Boolean).length),
      vitest ? `${vitest.passed} passed, ${vitest.failed} failed` : '—',
    ].join(' | ');
  });
  return ['situation | isolation | 128 MB + 300 MB | cores at 128 MB | 256/1769 MB | left | vitest', ...rows].join(
    '\n',
  );
}

describe.skipIf('missing' in tools)(
  `cgroup v2 in a VM (${'missing' in tools ? tools.missing : 'qemu + virtme-ng'})`,
  () => {
    beforeAll(async () => {
      if ('missing' in tools) return;
      run = await runInVm(tools, [...SITUATIONS], { cpus: VM_CPUS });
      // The figures, for the README and for whoever reads CI's log.
      console.log(`cgroup v2 VM: ${run.seconds.toFixed(0)} s\n${summary(run)}`);
    }, VM_TIMEOUT_MS + 120_000);

    for (const situation of SITUATIONS) {
      describe(situation, () => {
        it('doctor says cgroup-v2 and what lambench did to get it', () => {
          const { isolation, limits } = step(situation, 'doctor') as {
            isolation: { kind: string; setup: string[] };
            limits: { notApplied: string[] };
          };
          expect(isolation.kind).toBe('cgroup-v2');
          expect(isolation.setup.length).toBeGreaterThan(0);
          if (situation !== 'root' && situation !== 'host')
            expect(isolation.setup.join('\n')).toMatch(/moved the \d+ process\(es\)/);
          if (situation === 'systemd-user')
            expect(isolation.setup[0]).toBe(
              'ran itself in a delegated cgroup (systemd-run --user --scope -p Delegate=yes)',
            );
          expect(limits.notApplied).toEqual(notApplied(situation));
        });

        it('kills a function past its memory with Runtime.OutOfMemory', () => {
          expect(step(situation, 'oom')).toMatchObject({ errorType: 'Runtime.OutOfMemory', isolation: 'cgroup-v2' });
        });

        it("shows a 128 MB function AWS's 2 cores of the VM's 3", () => {
          expect(step(situation, 'cores')).toMatchObject({
            seen: 2,
            visibleCpus: 2,
            limitsNotApplied: notApplied(situation),
          });
        });

        it('gives CPU in proportion to memory: 256 MB takes about 1769/256 times as long as 1769 MB', () => {
          const { ratio, expected } = step(situation, 'cpu') as { ratio: number; expected: number };
          // Without a quota the ratio would be 1. Under software emulation small quotas run slower than their share
          // (8.3 measured against 6.9 expected in one run, 6.8 in another), so the bound is wide: half to twice.
          expect(ratio).toBeGreaterThan(expected * 0.5);
          expect(ratio).toBeLessThan(expected * 2);
        });

        it('leaves no lambench cgroup after exit, after Ctrl-C, and after a SIGKILLed engine once the next one starts', () => {
          expect(step(situation, 'leftAfterExit').cgroups).toEqual([]);
          const sigint = step(situation, 'sigint') as { exit: { code: number }; cgroups: string[] } & Step;
          expect(sigint.sandboxesWhileServing).toBeGreaterThanOrEqual(1);
          expect(sigint.exit.code).toBe(130);
          expect(sigint.cgroups).toEqual([]);
          const sigkill = step(situation, 'sigkill') as { leftByKilledEngine: string[]; cgroupsAfterRestart: string[] };
          expect(sigkill.leftByKilledEngine.length).toBeGreaterThan(0);
          expect(sigkill.cgroupsAfterRestart).toEqual([]);
        });

        if (WITH_VITEST.has(situation)) {
          it('passes the sandbox contract and the engine tests', () => {
            const vitest = step(situation, 'vitest') as {
              failed: number;
              passed: number;
              passedNames: string[];
              failures?: unknown[];
              output?: string;
            };
            expect(vitest.failures ?? [], String(vitest.output ?? '')).toEqual([]);
            expect(vitest.failed).toBe(0);
            expect(vitest.passedNames.filter((n) => n.includes('sandbox contract: cgroup-v2 ')).length).toBeGreaterThan(
              5,
            );
            expect(vitest.passedNames).toContain(
              'engine kills an environment that exceeds its memory with Runtime.OutOfMemory',
            );
          });
        }
      });
    }
  },
);
