import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsError } from '../../errors.js';
import { deflatedZeros, type RawEntry, rawZip } from '../test-helpers/zip.js';
import { unpackZip } from './code.js';

let dataDir: string;
const COULD_NOT_UNZIP = /^Could not unzip uploaded file\. Please check your file, then try to upload again\./;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambench-zip-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const b64 = (zip: Uint8Array) => Buffer.from(zip).toString('base64');
const unpack = (zip: Uint8Array, name = 'fn') => unpackZip(dataDir, name, b64(zip));

/** Everything left under the function's folder (staging folders included). */
const leftovers = async (name: string) => readdir(path.join(dataDir, 'functions', name)).catch(() => []);

async function refused(zip: Uint8Array, name: string): Promise<AwsError> {
  const error = (await unpack(zip, name).then(
    () => {
      throw new Error('the zip was accepted');
    },
    (e: unknown) => e,
  )) as AwsError;
  expect(error.awsType).toBe('InvalidParameterValueException');
  expect(error.statusCode).toBe(400);
  expect(error.message).not.toContain(dataDir);
  expect(await leftovers(name)).toEqual([]);
  return error;
}

describe('unpacking an uploaded zip', () => {
  it('refuses a 1 MB zip of 1 GiB of zeros with AWS error, without inflating it in memory', async () => {
    const { stored, crc } = await deflatedZeros(1 << 30);
    expect(stored.length).toBeLessThan(2 << 20);
    const before = process.resourceUsage().maxRSS;
    const error = await refused(rawZip([{ name: 'zeros.bin', stored, crc, size: 1 << 30 }]), 'bomb');
    expect(error.message).toBe('Unzipped size must be smaller than 262144000 bytes');
    // maxRSS is the process's peak (KiB): inflating the entry in memory would raise it by 1 GiB.
    expect(process.resourceUsage().maxRSS - before).toBeLessThan(200 * 1024);
  });

  it.each([
    ['small (inflated in one call)', 1000],
    ['large (streamed to disk)', 2 << 20],
  ])('counts the bytes really inflated, not only the sizes the zip declares: %s', async (_what, declared) => {
    const { stored, crc } = await deflatedZeros(300 << 20);
    const before = process.resourceUsage().maxRSS;
    const error = await refused(rawZip([{ name: 'liar.bin', stored, crc, size: declared }]), `liar-${declared}`);
    expect(error.message).toMatch(COULD_NOT_UNZIP);
    expect(process.resourceUsage().maxRSS - before).toBeLessThan(200 * 1024);
  });

  it('streams a large entry to disk intact', async () => {
    const data = Buffer.alloc(5 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    const code = await unpack(rawZip([{ name: 'big.bin', data, mode: 0o100644 }]), 'big');
    expect((await readFile(path.join(code.codeDir, 'big.bin'))).equals(data)).toBe(true);
  });

  const file = (name: string | Buffer, extra: Partial<RawEntry> = {}): RawEntry => ({
    name,
    data: Buffer.from('x'),
    ...extra,
  });
  it.each<[string, RawEntry[]]>([
    ['corrupt deflate data', [file('a.js', { stored: Buffer.from([0xff, 0xff, 0xff, 0xff]) })]],
    ['a bad CRC', [file('a.js', { crc: 1234 })]],
    ['duplicate names', [file('a.js'), file('a.js')]],
    ['an absolute path', [file('/etc/evil')]],
    ['a ".." zip-slip path', [file('../../evil.js')]],
    ['a nested ".." path', [file('lib/../../evil.js')]],
    ['a NUL in a name', [file(Buffer.from('a\0b.js'))]],
    ['a name too long for the filesystem', [file(`${'n'.repeat(300)}.js`)]],
    ['a file used as a folder by another entry', [file('a.js'), file('a.js/b.js')]],
    ['an unknown compression method', [file('a.js', { method: 99, stored: Buffer.from('x') })]],
    ['a symlink leaving the code folder', [file('link', { data: Buffer.from('../../..'), mode: 0o120777 })]],
    ['an absolute symlink', [file('link', { data: Buffer.from('/etc'), mode: 0o120777 })]],
    [
      'a file written through a symlink',
      [file('dir', { data: Buffer.from('sub'), mode: 0o120777 }), file('dir/x.js', { mode: 0o100644 })],
    ],
  ])('refuses %s with AWS 400 and leaves no staging folder', async (_what, entries) => {
    const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
    const error = await refused(rawZip(entries), name);
    expect(error.message).toMatch(COULD_NOT_UNZIP);
  });

  it('refuses bytes that are not a zip', async () => {
    const error = await refused(Buffer.from('definitely not a zip file'), 'not-zip');
    expect(error.message).toMatch(COULD_NOT_UNZIP);
  });

  it('keeps unix modes: executables other than bootstrap stay executable, plain files do not', async () => {
    const code = await unpack(
      rawZip([
        file('index.mjs', { mode: 0o100644 }),
        file('bin/tool', { mode: 0o100755 }),
        file('bootstrap', { mode: 0o100755 }),
        file('private.txt', { mode: 0o100600 }),
      ]),
      'modes',
    );
    const mode = async (rel: string) => (await stat(path.join(code.codeDir, rel))).mode & 0o777;
    expect(await mode('bin/tool')).toBe(0o755);
    expect(await mode('bootstrap')).toBe(0o755);
    expect(await mode('index.mjs')).toBe(0o644);
    expect(await mode('private.txt')).toBe(0o600);
  });

  it('keeps the unix mode of zips made elsewhere when the attributes carry a file type (Info-ZIP rule)', async () => {
    const code = await unpack(
      zipSync({ tool: [strToU8('#!/bin/sh'), { attrs: (0o100755 << 16) >>> 0, os: 0 }] }),
      'dos',
    );
    expect((await stat(path.join(code.codeDir, 'tool'))).mode & 0o777).toBe(0o755);
  });

  it('gives files without unix attributes (zips made on Windows) 644, as Lambda: not executable', async () => {
    const code = await unpack(zipSync({ 'index.mjs': strToU8('x'), 'bin/tool': strToU8('#!/bin/sh') }), 'windows');
    expect((await stat(path.join(code.codeDir, 'bin/tool'))).mode & 0o777).toBe(0o644);
    expect((await stat(path.join(code.codeDir, 'bin'))).mode & 0o777).toBe(0o755);
  });

  it('creates explicit directory entries, empty ones too, and symlinks inside the code folder', async () => {
    const code = await unpack(
      rawZip([
        file('empty/', { data: Buffer.alloc(0), mode: 0o40755 }),
        file('lib/real.js', { mode: 0o100644 }),
        file('lib/alias.js', { data: Buffer.from('real.js'), mode: 0o120777 }),
        file('node_modules/.bin/tool', { data: Buffer.from('../../lib/real.js'), mode: 0o120777 }),
      ]),
      'links',
    );
    expect((await stat(path.join(code.codeDir, 'empty'))).isDirectory()).toBe(true);
    expect((await lstat(path.join(code.codeDir, 'lib/alias.js'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(code.codeDir, 'lib/alias.js'))).toBe('real.js');
    expect(await readFile(path.join(code.codeDir, 'node_modules/.bin/tool'), 'utf8')).toBe('x');
  });

  it('answers a failure to store the code with a 500 that shows no host path', async () => {
    // A file where the function's folder should be: the engine's own storage fails, not the zip.
    await mkdir(path.join(dataDir, 'functions'), { recursive: true });
    await writeFile(path.join(dataDir, 'functions', 'blocked'), 'not a folder');
    const error = (await unpack(zipSync({ 'index.mjs': strToU8('x') }), 'blocked').catch(
      (e: unknown) => e,
    )) as AwsError;
    expect(error).toMatchObject({ awsType: 'ServiceException', statusCode: 500 });
    expect(error.message).not.toContain(dataDir);
  });

  it('removes staging folders that a dead process left behind', async () => {
    const stale = path.join(dataDir, 'functions', 'stale', 'abcdef0123456789.tmp-999999999');
    await mkdir(stale, { recursive: true });
    await unpack(zipSync({ 'index.mjs': strToU8('x') }), 'stale');
    expect((await leftovers('stale')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
