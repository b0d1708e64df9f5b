import { existsSync } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPERSEDED_AFTER_MS, stageTaskRoot, worldDir, worldLeaks } from './task-root.js';

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-task-root-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the world task roots are staged in', () => {
  it('is the cache folder when nothing above it has a package.json or node_modules, else the user cache', async () => {
    const clean = path.join(workDir, 'clean', 'cache');
    expect(worldLeaks(clean)).toEqual({});
    expect(worldDir(clean, 'nodejs')).toBe(path.join(clean, 'task-roots', 'nodejs'));

    const project = path.join(workDir, 'project');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'package.json'), '{"type":"module"}');
    const inProject = path.join(project, '.lambench', 'cache');
    expect(worldLeaks(inProject)).toEqual({ packageJson: path.join(project, 'package.json') });
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(workDir, 'xdg');
    try {
      expect(worldDir(inProject, 'provided')).toBe(path.join(workDir, 'xdg', 'lambench', 'task-roots', 'provided'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});

describe('stageTaskRoot', () => {
  it('copies the code beside a boundary package.json and the provided packages, keeping modes and links', async () => {
    const code = path.join(workDir, 'fn');
    const shared = path.join(workDir, 'shared-pkg');
    await mkdir(path.join(code, 'bin'), { recursive: true });
    await mkdir(shared, { recursive: true });
    await writeFile(path.join(code, 'index.js'), 'exports.handler = async () => 1;\n');
    await writeFile(path.join(code, 'bin', 'tool'), '#!/bin/sh\necho tool\n');
    await chmod(path.join(code, 'bin', 'tool'), 0o755);
    await writeFile(path.join(shared, 'index.js'), 'module.exports = "shared";\n');
    await symlink('index.js', path.join(code, 'alias.js'));
    await symlink(shared, path.join(code, 'linked'));
    await symlink('does-not-exist', path.join(code, 'dangling'));
    const sdk = path.join(workDir, 'fake-sdk');
    await mkdir(sdk, { recursive: true });

    const cacheDir = path.join(workDir, 'cache');
    const root = await stageTaskRoot('my fn', code, cacheDir, { family: 'nodejs', provided: { '@aws-sdk': sdk } });
    const world = path.join(cacheDir, 'task-roots', 'nodejs');
    expect(path.dirname(root)).toBe(world);
    expect(path.basename(root)).toMatch(/^my_fn-[0-9a-f]{16}$/);
    // Nothing above needs fencing off: no package.json at all, as above /var/task.
    expect(existsSync(path.join(world, 'package.json'))).toBe(false);
    expect(await readlink(path.join(world, 'node_modules', '@aws-sdk'))).toBe(sdk);
    expect(await readFile(path.join(root, 'index.js'), 'utf8')).toBe('exports.handler = async () => 1;\n');
    expect((await lstat(path.join(root, 'bin', 'tool'))).mode & 0o777).toBe(0o755);
    // A link inside the code stays a link; one leading outside is copied as zip -r would pack it.
    expect(await readlink(path.join(root, 'alias.js'))).toBe('index.js');
    expect((await lstat(path.join(root, 'linked'))).isDirectory()).toBe(true);
    expect(await readFile(path.join(root, 'linked', 'index.js'), 'utf8')).toBe('module.exports = "shared";\n');
    expect(await readlink(path.join(root, 'dangling'))).toBe('does-not-exist');

    expect(await stageTaskRoot('my fn', code, cacheDir, { family: 'nodejs' })).toBe(root);
    await writeFile(path.join(shared, 'index.js'), 'module.exports = "changed outside";\n');
    const restaged = await stageTaskRoot('my fn', code, cacheDir, { family: 'nodejs' });
    expect(restaged).not.toBe(root);
    expect(await readFile(path.join(restaged, 'linked', 'index.js'), 'utf8')).toBe(
      'module.exports = "changed outside";\n',
    );
    expect(existsSync(root)).toBe(true);
  });

  it("removes the same function's task roots unused for a day, and dead processes' staging folders", async () => {
    const code = path.join(workDir, 'edited');
    await mkdir(code, { recursive: true });
    await writeFile(path.join(code, 'index.js'), 'exports.handler = async () => 1;\n');
    const cacheDir = path.join(workDir, 'cache-superseded');
    const old = await stageTaskRoot('edited', code, cacheDir, { family: 'nodejs' });
    const world = path.dirname(old);
    const dayAgo = new Date(Date.now() - SUPERSEDED_AFTER_MS - 60_000);
    await utimes(old, dayAgo, dayAgo);
    await writeFile(path.join(code, 'index.js'), 'exports.handler = async () => 2;\n');
    const recent = await stageTaskRoot('edited', code, cacheDir, { family: 'nodejs' });
    // A day-old root was superseded by the edit; nothing else was, so far.
    expect(existsSync(old)).toBe(false);
    const deadStaging = path.join(world, `edited-${'0'.repeat(16)}.tmp-2147483646-1`);
    const liveStaging = path.join(world, `edited-${'1'.repeat(16)}.tmp-${process.pid}-1`);
    const otherFunction = path.join(world, `edited-x-${'2'.repeat(16)}`);
    for (const folder of [deadStaging, liveStaging, otherFunction]) await mkdir(folder, { recursive: true });
    await utimes(otherFunction, dayAgo, dayAgo);
    await writeFile(path.join(code, 'index.js'), 'exports.handler = async () => 3;\n');
    const newest = await stageTaskRoot('edited', code, cacheDir, { family: 'nodejs' });
    expect(newest).not.toBe(recent);
    // The root staged a moment ago may still run in another engine: kept. So are a live process's staging
    // folder and another function whose name starts with this one's.
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(deadStaging)).toBe(false);
    expect(existsSync(liveStaging)).toBe(true);
    expect(existsSync(otherFunction)).toBe(true);
    // Reusing a root marks it used, so an old but still used version is not removed.
    await utimes(newest, dayAgo, dayAgo);
    expect(await stageTaskRoot('edited', code, cacheDir, { family: 'nodejs' })).toBe(newest);
    expect((await stat(newest)).mtimeMs).toBeGreaterThan(dayAgo.getTime() + 60_000);
  });

  it('fences off a package.json above the world with an empty one (Node stops at the first it finds)', async () => {
    const home = path.join(workDir, 'home-with-npm-init');
    await mkdir(home, { recursive: true });
    await writeFile(path.join(home, 'package.json'), '{"type":"module"}');
    const project = path.join(workDir, 'esm-project');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'package.json'), '{"type":"module"}');
    const code = path.join(project, 'fn');
    await mkdir(code, { recursive: true });
    await writeFile(path.join(code, 'index.js'), 'exports.handler = async () => 1;\n');
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(home, '.cache');
    try {
      const root = await stageTaskRoot('fn', code, path.join(project, '.lambench', 'cache'), { family: 'nodejs' });
      expect(root.startsWith(path.join(home, '.cache', 'lambench', 'task-roots', 'nodejs') + path.sep)).toBe(true);
      expect(await readFile(path.join(path.dirname(root), 'package.json'), 'utf8')).toBe('{}\n');
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('falls back to the cache folder, fenced off, when the user cache cannot be written', async () => {
    const project = path.join(workDir, 'project-no-home');
    const code = path.join(project, 'fn');
    await mkdir(code, { recursive: true });
    await writeFile(path.join(project, 'package.json'), '{"type":"module"}');
    await writeFile(path.join(code, 'index.js'), 'exports.handler = async () => 1;\n');
    await writeFile(path.join(workDir, 'not-a-folder'), '');
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(workDir, 'not-a-folder', 'cache');
    try {
      const cacheDir = path.join(project, '.lambench', 'cache');
      const root = await stageTaskRoot('fn', code, cacheDir, { family: 'nodejs' });
      expect(path.dirname(root)).toBe(path.join(cacheDir, 'task-roots', 'nodejs'));
      expect(await readFile(path.join(path.dirname(root), 'package.json'), 'utf8')).toBe('{}\n');
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});
