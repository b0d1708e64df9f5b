import { createHash } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * On AWS nothing above /var/task decides how a function's files load: no package.json there (so `.js` is
 * CommonJS unless the function ships a package.json saying otherwise), no node_modules but /var/task's own
 * (the walk-up from /var/task finds only /var/node_modules and /node_modules, which do not exist). A function
 * folder or an unpacked zip living inside the user's project would see the project's package.json (`"type":
 * "module"` turns every CommonJS handler.js into a broken ES module) and its node_modules.
 *
 * So the code is staged — copied once per content — into a "world" folder whose ancestors hold no package.json
 * and no node_modules:
 *
 *   <world>/package.json             `{}`: Node's package-scope walk stops at the first package.json it finds;
 *                                    without a "type" it means what no package.json means (CommonJS, with
 *                                    Node's own syntax detection), as above /var/task
 *   <world>/node_modules/<provided>  what AWS's runtime provides to the walk-up (the AWS SDK for nodejs*.x)
 *   <world>/<name>-<hash>/           the task root
 *
 * `<world>` is `<cacheDir>/task-roots/<family>` when nothing above the cache folder has a package.json or a
 * node_modules (a cache in a temporary folder), else `$XDG_CACHE_HOME/lambench/task-roots/<family>`
 * (~/.cache by default): the user's own cache, which only the user can write to.
 */
export interface StageOptions {
  /** e.g. 'nodejs', 'provided': each family gets its own world (a custom runtime gets no AWS SDK). */
  family: string;
  /** Links placed in `<world>/node_modules`, name → target folder (e.g. '@aws-sdk' → the host's SDK). */
  provided?: Record<string, string>;
}

/** Whether `dir` or a folder above it holds a package.json or a node_modules (the walk-ups' stopping points). */
export function worldLeaksAbove(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    for (const name of ['package.json', 'node_modules']) {
      const candidate = path.join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    if (current === path.dirname(current)) return undefined;
  }
}

/** The folder task roots of `family` are staged under (see above). */
export function worldDir(cacheDir: string, family: string): string {
  const inCache = path.join(path.resolve(cacheDir), 'task-roots');
  if (!worldLeaksAbove(inCache)) return path.join(inCache, family);
  const xdg = process.env.XDG_CACHE_HOME;
  const userCache = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(userCache, 'lambench', 'task-roots', family);
}

type Entry =
  | { kind: 'dir'; source: string; rel: string }
  | { kind: 'file'; source: string; rel: string }
  | { kind: 'link'; source: string; rel: string; target: string };

/**
 * Every entry of the tree as it is staged. A symlink that stays inside the code is kept as a link; one that leads
 * outside (a pnpm or workspace link to a shared node_modules) is followed and its target copied, as `zip -r` packs
 * what a link points to, so the staged copy does not depend on where it came from. A dangling link is kept.
 */
async function walkTree(root: string, visit: (entry: Entry) => Promise<void>): Promise<void> {
  const realRoot = await realpath(root);
  const followed = new Set<string>();
  async function walk(dir: string, relative: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const source = path.join(dir, entry.name);
      const rel = path.join(relative, entry.name);
      let kind: 'dir' | 'file' | undefined = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : undefined;
      let from = source;
      if (entry.isSymbolicLink()) {
        const resolved = await realpath(source).catch(() => undefined);
        const inside = resolved === realRoot || resolved?.startsWith(realRoot + path.sep);
        if (!resolved || inside || followed.has(resolved)) {
          await visit({ kind: 'link', source, rel, target: await readlink(source) });
          continue;
        }
        const stat = await lstat(resolved);
        kind = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : undefined;
        if (kind === 'dir') followed.add(resolved);
        from = resolved;
      }
      if (!kind) continue;
      await visit({ kind, source: from, rel });
      if (kind === 'dir') await walk(from, rel);
    }
  }
  await walk(root, '');
}

/**
 * A key over what is staged: every entry's relative path, type, size, mode and mtime (node_modules included,
 * unlike CodeSha256), so an edited file or a new dependency stages afresh while an unchanged folder costs one
 * stat per file.
 */
async function treeKey(dir: string): Promise<string> {
  const hash = createHash('sha256').update(path.resolve(dir));
  await walkTree(dir, async (entry) => {
    if (entry.kind === 'link') return void hash.update(`${entry.rel}\0link\0${entry.target}\0`);
    const stat = await lstat(entry.source);
    hash.update(`${entry.rel}\0${entry.kind}\0${stat.mode}\0${stat.size}\0${stat.mtimeMs}\0`);
  });
  return hash.digest('hex').slice(0, 16);
}

/** Copies the tree (see walkTree): files reflinked where the filesystem can, with their modes. */
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  await walkTree(from, async (entry) => {
    const target = path.join(to, entry.rel);
    if (entry.kind === 'link') await symlink(entry.target, target);
    else if (entry.kind === 'dir') await mkdir(target);
    else {
      await copyFile(entry.source, target, constants.COPYFILE_FICLONE);
      await chmod(target, (await lstat(entry.source)).mode & 0o7777);
    }
  });
}

async function prepareWorld(world: string, provided: Record<string, string>): Promise<void> {
  await mkdir(world, { recursive: true });
  const boundary = path.join(world, 'package.json');
  if (!existsSync(boundary)) {
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
  const world = worldDir(cacheDir, options.family);
  await prepareWorld(world, options.provided ?? {});
  const safeName = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const taskRoot = path.join(world, `${safeName}-${await treeKey(codeDir)}`);
  // The folder appears by rename() once complete, so an existing one is whole.
  if (existsSync(taskRoot)) return taskRoot;
  const staging = `${taskRoot}.tmp-${process.pid}-${Date.now()}`;
  try {
    await copyTree(codeDir, staging);
    await rename(staging, taskRoot).catch(async (error: NodeJS.ErrnoException) => {
      // Another engine staged the same code first: keep theirs.
      if (!existsSync(taskRoot)) throw error;
      await rm(staging, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return taskRoot;
}
