import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pidsIn, tryRead, write } from '../cgroupfs.js';

/** Controllers a sandbox cannot do without, and those it uses where the kernel offers them. */
const REQUIRED = ['cpu', 'memory'] as const;
const OPTIONAL = ['pids', 'cpuset'] as const;
/** The leaf that takes the processes already in a cgroup lambench must enable controllers in (docker-in-docker's name). */
export const LEAF = 'init';

/** Where this process sits in the unified hierarchy. */
export interface V2Hierarchy {
  /** The cgroup2 mount point (the hierarchy's root as this process sees it: a container's namespace root). */
  mount: string;
  /** This process's own cgroup folder. */
  own: string;
}

/** Where an engine puts its sandboxes on cgroup v2, and what it did to the hierarchy to get there. */
export interface V2Placement {
  /** The cgroup under which `lambench-<pid>/<sandbox>` folders are created. */
  parent: string;
  /** The controllers enabled for sandboxes (cpu and memory always; pids and cpuset where offered). */
  controllers: string[];
  /** What lambench did, in words, for `doctor`. */
  actions: string[];
  /**
   * The parent is a delegated cgroup whose own parent lambench may not write (a systemd scope): each run gets a
   * scope of its own, so a killed engine's sandboxes are in a sibling scope, which stale cleanup also visits.
   */
  delegatedScope?: boolean;
}

/** Whether lambench may make and remove cgroups in `dir` (a sibling scope systemd delegated to the same user). */
export function writableCgroup(dir: string): boolean {
  return writable(dir);
}

export function v2Hierarchy(): V2Hierarchy | { missing: string } {
  let mount: string | undefined;
  let mountRoot = '/';
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right?.startsWith('cgroup2 ')) continue;
    const fields = left?.split(' ') ?? [];
    mount = fields[4];
    mountRoot = fields[3] ?? '/';
  }
  if (!mount) return { missing: 'no cgroup2 filesystem is mounted' };
  const own =
    readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('0::'))
      ?.slice(3) ?? '/';
  // A mount of a subtree (a container given part of the host's hierarchy) shows paths relative to its root.
  const relative = path.relative(mountRoot, own);
  if (relative.startsWith('..')) return { missing: `this process's cgroup ${own} is outside the cgroup2 mount` };
  return { mount, own: path.join(mount, relative) };
}

const controllersOf = (dir: string) => (tryRead(path.join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
const enabledIn = (dir: string) => (tryRead(path.join(dir, 'cgroup.subtree_control')) ?? '').trim().split(/\s+/);

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    accessSync(path.join(dir, 'cgroup.subtree_control'), constants.W_OK);
    accessSync(path.join(dir, 'cgroup.procs'), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Enables the controllers sandboxes need for `dir`'s children. The kernel refuses (EBUSY) when `dir` holds
 * processes and is not the hierarchy's true root: the no-internal-processes rule.
 */
function enableControllers(dir: string): string[] | null {
  const offered = controllersOf(dir);
  if (!REQUIRED.every((c) => offered.includes(c))) return null;
  const missing = REQUIRED.filter((c) => !enabledIn(dir).includes(c));
  try {
    if (missing.length) write(path.join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
  } catch {
    return null;
  }
  for (const c of OPTIONAL) {
    if (!offered.includes(c) || enabledIn(dir).includes(c)) continue;
    try {
      write(path.join(dir, 'cgroup.subtree_control'), `+${c}`);
    } catch {
      // Optional: the result says which limits were not applied.
    }
  }
  const enabled = enabledIn(dir);
  return [...REQUIRED, ...OPTIONAL].filter((c) => enabled.includes(c));
}

/** Moves every process of `dir` into `dir/init`, until none is left (processes may fork while they move). */
function evacuate(dir: string): number[] {
  const leaf = path.join(dir, LEAF);
  if (!existsSync(leaf)) mkdirSync(leaf);
  const moved = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const pids = pidsIn(dir);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        write(path.join(leaf, 'cgroup.procs'), pid);
        moved.add(pid);
      } catch (error) {
        // Exited meanwhile; anything else (a kernel thread, a process we may not move) stops the evacuation.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  }
  return [...moved];
}

/** PID 1 is an init that manages cgroups itself (systemd in a container): moving its processes would fight it. */
function managedBySystemd(dir: string): boolean {
  return pidsIn(dir).includes(1) && (tryRead('/proc/1/comm') ?? '').trim() === 'systemd';
}

/** True when no cgroup from this process's own upwards may be written: only a delegated one (systemd) can help. */
export function needsDelegation(hierarchy: V2Hierarchy): boolean {
  for (let dir = hierarchy.own; ; dir = path.dirname(dir)) {
    if (writable(dir)) return false;
    if (dir === hierarchy.mount || dir === path.dirname(dir)) return true;
  }
}

const describe = (dir: string, hierarchy: V2Hierarchy) =>
  dir === hierarchy.mount ? `the hierarchy's root (${dir})` : dir;

/**
 * Finds a cgroup whose children can have the cpu and memory controllers, as docker, kind and systemd do:
 * 1. the nearest cgroup, from this process's own upwards, that lambench may write and where the controllers can be
 *    enabled (the true root, or an ancestor holding no processes: root in a login session or a CI job's cgroup);
 * 2. else the lowest writable cgroup that offers them (a container's namespace root, a delegated scope): its
 *    processes are moved into a leaf `init` beside lambench's folder, as docker-in-docker's entrypoint does, and
 *    the controllers enabled. Not when PID 1 is systemd, which owns that tree.
 * Throws with the reason (and what to run instead) when neither works.
 */
export function placeV2(hierarchy: V2Hierarchy): V2Placement {
  const chain: string[] = [];
  for (let dir = hierarchy.own; ; dir = path.dirname(dir)) {
    chain.push(dir);
    if (dir === hierarchy.mount || dir === path.dirname(dir)) break;
  }
  for (const dir of chain) {
    if (!writable(dir)) break;
    const controllers = enableControllers(dir);
    if (controllers) {
      const where = dir === hierarchy.own ? 'its own cgroup' : `an ancestor of its cgroup, ${describe(dir, hierarchy)}`;
      const delegatedScope = dir !== hierarchy.mount && !writable(path.dirname(dir));
      return { parent: dir, controllers, delegatedScope, actions: [`sandboxes under ${where}`] };
    }
  }
  const target = chain.find((dir) => writable(dir) && REQUIRED.every((c) => controllersOf(dir).includes(c)));
  if (!target) {
    const uid = process.getuid?.() ?? -1;
    const atRoot = controllersOf(hierarchy.mount);
    throw new Error(
      uid === 0
        ? REQUIRED.every((c) => atRoot.includes(c))
          ? `no cgroup from ${hierarchy.own} upwards offers the cpu and memory controllers`
          : `the cgroup2 hierarchy at ${hierarchy.mount} lacks the cpu and memory controllers (bound to cgroup v1 here?)`
        : `lambench runs as uid ${uid} in ${hierarchy.own}, which it may not write (no delegated subtree); run it in one: systemd-run --user --scope -p Delegate=yes --quiet npx lambench …`,
    );
  }
  if (managedBySystemd(target)) {
    throw new Error(
      `${target} holds systemd (PID 1), which manages its cgroups; run lambench in a delegated unit: systemd-run --scope -p Delegate=yes --quiet npx lambench …`,
    );
  }
  const moved = evacuate(target);
  const controllers = enableControllers(target);
  if (!controllers) throw new Error(`could not enable cpu and memory in ${target} after moving its processes`);
  return {
    parent: target,
    controllers,
    delegatedScope: target !== hierarchy.mount && !writable(path.dirname(target)),
    actions: [
      `moved the ${moved.length} process(es) of ${describe(target, hierarchy)} into ${path.join(target, LEAF)} (the no-internal-processes rule), as docker-in-docker does; left there`,
      `enabled ${controllers.join(' ')} for ${target}'s children; sandboxes under ${target}`,
    ],
  };
}
