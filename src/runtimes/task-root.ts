import { createHash } from 'node:crypto';
import { constants, existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { chmod, copyFile, link, mkdir, readdir, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * On AWS nothing above /var/task decides how a function's files load: no package.json there (so `.js` is
 * CommonJS unless the function ships a package.json saying otherwise), no node_modules but /var/task's own
 * (the walk-up from /var/task finds only /var/node_modules and /node_modules, which do not exist). A function
 * folder or an unpacked zip living inside the user's project would see the project's package.json (`"type":
 * "module"` turns every CommonJS handler.js into a broken ES module) and its node_modules.
 *
 * So the code is staged — hard-linked (or copied) once per content — into a "world" folder whose ancestors
 * hold no package.json and no node_modules, as /var/task's do not:
 *
 *   <world>/node_modules/<provided>  what AWS's runtime provides to the walk-up (the AWS SDK for nodejs*.x)
 *   <world>/<name>-<hash>/           the task root
 *
 * `<world>` is `<cacheDir>/task-roots/<family>` when nothing above the cache folder has a package.json or a
 * node_modules (a cache in a temporary folder), else `$XDG_CACHE_HOME/lambench/task-roots/<family>`
 * (~/.cache by default): the user's own cache, which only the user can write to. Should a package.json lie
 * above that one too (an `npm init` in the home folder), `<world>/package.json` is `{}`: Node's package-scope
 * walk stops at the first package.json, and one without "type" means what none means (CommonJS, with Node's
 * syntax detection) — except that Node then warns when it detects ES module syntax in a `.js` it imports
 * (MODULE_TYPELESS_PACKAGE_JSON), which is why it is only the fallback. A node_modules above (~/node_modules)
 * cannot be fenced off: its packages would resolve. Without a writable user cache, the cache folder is used,
 * fenced off the same way.
 */
export interface StageOptions {
  /** e.g. 'nodejs', 'provided': each family gets its own world (a custom runtime gets no AWS SDK). */
  family: string;
  /** Links placed in `<world>/node_modules`, name → target folder (e.g. '@aws-sdk' → the host's SDK). */
  provided?: Record<string, string>;
}

/** The nearest package.json and node_modules at or above `dir`: where Node's walk-ups would stop or look. */
export function worldLeaks(dir: string): { packageJson?: string; nodeModules?: string } {
  const found: { packageJson?: string; nodeModules?: string } = {};
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const manifest = path.join(current, 'package.json');
    const modules = path.join(current, 'node_modules');
    if (!found.packageJson && existsSync(manifest)) found.packageJson = manifest;
    if (!found.nodeModules && existsSync(modules)) found.nodeModules = modules;
    if (current === path.dirname(current)) return found;
  }
}

const clean = (dir: string) => {
  const found = worldLeaks(dir);
  return !found.packageJson && !found.nodeModules;
};

/** The folder task roots of `family` are staged under (see above). */
export function worldDir(cacheDir: string, family: string): string {
  const inCache = path.join(path.resolve(cacheDir), 'task-roots');
  if (clean(inCache)) return path.join(inCache, family);
  const xdg = process.env.XDG_CACHE_HOME;
  const userCache = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(userCache, 'lambench', 'task-roots', family);
}

type Entry =
  | { kind: 'dir' | 'file'; source: string; rel: string; stat: Stats }
  | { kind: 'link'; source: string; rel: string; target: string };

/**
 * Every entry of the tree as it is staged, parents before children, in name order. A symlink that stays inside
 * the code is kept as a link; one that leads outside (a pnpm or workspace link to a shared node_modules) is
 * followed and its target copied, as `zip -r` packs what a link points to, so the staged copy does not depend on
 * where it came from. A dangling link is kept. Synchronous: one stat per file, and the thread pool's hop per
 * call would cost more than the stat (a 2,000-file node_modules).
 */
function listTree(root: string): Entry[] {
  const realRoot = realpathSync(root);
  const followed = new Set<string>();
  const out: Entry[] = [];
  function walk(dir: string, relative: string): void {
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      let source = path.join(dir, entry.name);
      const rel = path.join(relative, entry.name);
      if (entry.isSymbolicLink()) {
        let resolved: string | undefined;
        try {
          resolved = realpathSync(source);
        } catch {
          resolved = undefined;
        }
        const inside = resolved === realRoot || resolved?.startsWith(realRoot + path.sep);
        if (!resolved || inside || followed.has(resolved)) {
          out.push({ kind: 'link', source, rel, target: readlinkSync(source) });
          continue;
        }
        source = resolved;
      }
      const stat = lstatSync(source);
      const kind = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : undefined;
      if (!kind) continue;
      if (kind === 'dir' && source !== path.join(dir, entry.name)) followed.add(source);
      out.push({ kind, source, rel, stat });
      if (kind === 'dir') walk(source, rel);
    }
  }
  walk(root, '');
  return out;
}

/**
 * A key over what is staged: every entry's relative path, type, size, mode and mtime (node_modules included,
 * unlike CodeSha256), so an edited file or a new dependency stages afresh while an unchanged folder costs one
 * stat per file.
 */
function treeKey(dir: string, entries: Entry[]): string {
  const hash = createHash('sha256').update(path.resolve(dir));
  for (const entry of entries) {
    if (entry.kind === 'link') hash.update(`${entry.rel}\0link\0${entry.target}\0`);
    else hash.update(`${entry.rel}\0${entry.kind}\0${entry.stat.mode}\0${entry.stat.size}\0${entry.stat.mtimeMs}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Recreates the listed tree in `to`: folders and links first, then files 32 at a time, each hard-linked (one
 * syscall; the code is never modified in place: an edited file changes the key and is staged afresh) or, across
 * filesystems, copied (reflinked where the filesystem can) with its mode.
 */
async function copyTree(entries: Entry[], to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  const files: Array<Entry & { kind: 'file' }> = [];
  for (const entry of entries) {
    const target = path.join(to, entry.rel);
    if (entry.kind === 'link') await symlink(entry.target, target);
    else if (entry.kind === 'dir') await mkdir(target);
    else files.push(entry as Entry & { kind: 'file' });
  }
  for (let i = 0; i < files.length; i += 32) {
    await Promise.all(
      files.slice(i, i + 32).map(async (file) => {
        const target = path.join(to, file.rel);
        try {
          await link(file.source, target);
        } catch {
          await copyFile(file.source, target, constants.COPYFILE_FICLONE);
          await chmod(target, file.stat.mode & 0o7777);
        }
      }),
    );
  }
}

async function prepareWorld(world: string, provided: Record<string, string>): Promise<void> {
  await mkdir(world, { recursive: true });
  const boundary = path.join(world, 'package.json');
  if (!existsSync(boundary) && worldLeaks(path.dirname(world)).packageJson) {
    const temporary = `${boundary}.${process.pid}`;
    await writeFile(temporary, '{}\n');
    await rename(temporary, boundary);
  }
  for (const [name, target] of Object.entries(provided)) {
    const link = path.join(world, 'node_modules', name);
    if (existsSync(link)) continue;
    await mkdir(path.dirname(link), { recursive: true });
    const temporary = `${link}.${process.pid}-${Date.now()}`;
    await symlink(target, temporary, 'dir');
    // rename() replaces atomically, so concurrent engines cannot leave a half-made link.
    await rename(temporary, link).catch(() => rm(temporary, { force: true }));
  }
}

/** Stages `codeDir` as a task root (see the module comment); returns the task root's path. */
export async function stageTaskRoot(name: string, codeDir: string, cacheDir: string, options: StageOptions) {
  let world = worldDir(cacheDir, options.family);
  try {
    await prepareWorld(world, options.provided ?? {});
  } catch (error) {
    // No writable user cache (a container user without a home): the project's cache, fenced off by `{}`.
    const inCache = path.join(path.resolve(cacheDir), 'task-roots', options.family);
    if (world === inCache) throw error;
    world = inCache;
    await prepareWorld(world, options.provided ?? {});
  }
  const safeName = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const entries = listTree(codeDir);
  const taskRoot = path.join(world, `${safeName}-${treeKey(codeDir, entries)}`);
  // The folder appears by rename() once complete, so an existing one is whole.
  if (existsSync(taskRoot)) {
    await markUsed(taskRoot);
    return taskRoot;
  }
  const staging = `${taskRoot}.tmp-${process.pid}-${Date.now()}`;
  try {
    await copyTree(entries, staging);
    await rename(staging, taskRoot).catch(async (error: NodeJS.ErrnoException) => {
      // Another engine staged the same code first: keep theirs.
      if (!existsSync(taskRoot)) throw error;
      await rm(staging, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await removeSuperseded(world, safeName, taskRoot);
  return taskRoot;
}

/** A staged task root untouched this long is an earlier version of its code that no engine still runs. */
export const SUPERSEDED_AFTER_MS = 24 * 3600_000;

// The folder's mtime says when an engine last staged (or reused) it: what removeSuperseded goes by.
async function markUsed(taskRoot: string): Promise<void> {
  const now = new Date();
  await utimes(taskRoot, now, now).catch(() => undefined);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Every edit of a function stages a new task root beside the old ones (hard links: cheap, but the folders and
 * their inodes pile up). When a new one appears, the same function's others that no engine has used for
 * SUPERSEDED_AFTER_MS are removed, with the half-made staging folders of processes that died. A day, not at
 * once: another engine (a `serve` in another terminal) may still run the older code.
 */
async function removeSuperseded(world: string, safeName: string, current: string): Promise<void> {
  const prefix = `${safeName}-`;
  const names = await readdir(world).catch(() => [] as string[]);
  const cutoff = Date.now() - SUPERSEDED_AFTER_MS;
  for (const name of names) {
    const folder = path.join(world, name);
    if (!name.startsWith(prefix) || folder === current) continue;
    const rest = name.slice(prefix.length);
    const staging = /^[0-9a-f]{16}\.tmp-(\d+)-\d+$/.exec(rest);
    if (!staging && !/^[0-9a-f]{16}$/.test(rest)) continue; // another function whose name starts like this one's
    const stale = staging
      ? !alive(Number(staging[1]))
      : await stat(folder).then(
          (info) => info.mtimeMs < cutoff,
          () => false,
        );
    if (stale) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}
