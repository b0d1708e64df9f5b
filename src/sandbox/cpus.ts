import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** AWS: 1,769 MB of memory = one vCPU of CPU time. */
export const MB_PER_VCPU = 1769;

export function hostCpus(): number {
  return os.availableParallelism();
}

/** vCPUs of CPU time for a memory size, capped by the host's cores (`capped` says when the host cannot give AWS's share). */
export function cpusForMemory(memoryMB: number, cpus = hostCpus()): { cpus: number; capped: boolean } {
  const wanted = memoryMB / MB_PER_VCPU;
  return wanted > cpus ? { cpus, capped: true } : { cpus: wanted, capped: false };
}

/**
 * How many cores a function sees on AWS (/proc/cpuinfo, nproc, os.availableParallelism()) at a memory size: not
 * the CPU time it may use, which is memory/1769, but the vCPUs of its microVM. Lambda documents only "up to 6
 * vCPUs at 10,240 MB"; the thresholds are the community's measurements (rwnx/lambda-cpuinfo: 2 from 128 to 3008
 * MB, 3 to 5307, 4 to 7076, 5 to 8845, 6 above; a 3 GB function reporting 3 cores in qiita's /proc/cpuinfo dump
 * agrees).
 */
export const AWS_VISIBLE_CPUS: ReadonlyArray<{ upToMB: number; cpus: number }> = [
  { upToMB: 3008, cpus: 2 },
  { upToMB: 5307, cpus: 3 },
  { upToMB: 7076, cpus: 4 },
  { upToMB: 8845, cpus: 5 },
  { upToMB: 10240, cpus: 6 },
];

export function awsVisibleCpus(memoryMB: number): number {
  return AWS_VISIBLE_CPUS.find((step) => memoryMB <= step.upToMB)?.cpus ?? 6;
}

/** The cores an environment sees: AWS's count for its memory, or every host core when the host has fewer. */
export function visibleCpusForMemory(memoryMB: number, cpus = hostCpus()): number {
  return Math.min(awsVisibleCpus(memoryMB), cpus);
}

/** util-linux's taskset: binds a runtime to its cores where no cpuset can (the function could widen it again). */
export const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((file) => existsSync(file));

/** `command args` bound to `cpuList` by taskset, or unchanged without a list. */
export function withAffinity(cpuList: readonly number[] | null, command: string, args: readonly string[]) {
  return cpuList && TASKSET
    ? { command: TASKSET, args: ['-c', formatCpuList(cpuList), command, ...args] }
    : { command, args: [...args] };
}

/** Parses the kernel's cpu list format ("0-3,8,10-11"). */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [from, to = from] = part.split('-').map(Number);
    if (from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}

export function formatCpuList(cpus: readonly number[]): string {
  return cpus.join(',');
}

/**
 * Hands out `count` of the available cores, starting one further each time: environments that see two cores of
 * a 16-core host are spread over all 16, as Lambda's microVMs are spread over hosts, instead of all piling onto
 * cores 0 and 1.
 */
export class CpuRotation {
  #next = 0;

  pick(available: readonly number[], count: number): number[] {
    if (count >= available.length) return [...available];
    const start = this.#next % available.length;
    this.#next = start + count;
    return Array.from({ length: count }, (_, i) => available[(start + i) % available.length] as number).sort(
      (a, b) => a - b,
    );
  }
}

/** The cores this process may run on (its affinity: a container's cpuset, a taskset), from /proc/self/status. */
export function ownCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
    if (list) return parseCpuList(list);
  } catch {
    // Not Linux: fall through.
  }
  return Array.from({ length: hostCpus() }, (_, i) => i);
}
