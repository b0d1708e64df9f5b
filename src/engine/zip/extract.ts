import { createWriteStream } from 'node:fs';
import { chmod, mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { AwsError, couldNotUnzip, unzippedTooLarge } from '../../errors.js';
import { readDirectory, type ZipEntry } from './directory.js';

/** Lambda's limit on the unzipped code of a function (250 MB), in bytes as AWS states it. */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** Entries up to this size are inflated in one call (bounded by their declared size); larger ones are streamed. */
const SMALL_ENTRY_BYTES = 1 << 20;
/** Lambda's default for files whose zip carries no unix mode (made on Windows): readable, not executable. */
const DEFAULT_FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o755;

const shown = (entry: ZipEntry) => JSON.stringify(entry.path);

/**
 * Unpacks `zip` into `dest` (which must not exist) entry by entry, never holding more than one small entry
 * inflated in memory: the declared sizes are checked against Lambda's limit first, then every entry's real
 * bytes against its declared size and CRC while it is written. Unix modes are kept (permission bits only),
 * symlinks are made last and must resolve inside `dest`, so no entry is ever written through one.
 */
export async function extractZip(zip: Buffer, dest: string): Promise<void> {
  const entries = readDirectory(zip);
  const declared = entries.reduce((sum, entry) => sum + (entry.kind === 'directory' ? 0 : entry.size), 0);
  if (declared >= MAX_UNZIPPED_BYTES) throw unzippedTooLarge(MAX_UNZIPPED_BYTES);
  const links = new Set(entries.filter((entry) => entry.kind === 'symlink').map((entry) => entry.path));
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (links.has(prefix)) throw couldNotUnzip(`entry ${shown(entry)} lies beneath the symlink "${prefix}"`);
    }
  }
  const made = new Set<string>();
  const ensureDirectory = async (relative: string) => {
    if (relative === '.' || made.has(relative)) return;
    await ensureDirectory(path.posix.dirname(relative));
    await mkdir(path.join(dest, relative)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await chmod(path.join(dest, relative), DIRECTORY_MODE);
    made.add(relative);
  };
  await mkdir(dest, { recursive: true });
  await chmod(dest, DIRECTORY_MODE);
  for (const entry of entries) {
    try {
      if (entry.kind === 'directory') await ensureDirectory(entry.path);
      else if (entry.kind === 'file') {
        await ensureDirectory(path.posix.dirname(entry.path));
        await writeEntry(zip, entry, path.join(dest, entry.path));
      }
    } catch (error) {
      throw storeError(error, entry);
    }
  }
  const symlinks = entries.filter((e) => e.kind === 'symlink');
  for (const entry of symlinks) {
    try {
      await ensureDirectory(path.posix.dirname(entry.path));
      await makeLink(zip, entry, dest);
    } catch (error) {
      throw storeError(error, entry);
    }
  }
  // Checked on the real tree once all links exist: a chain of links can leave the folder where each alone looks inside.
  const root = await realpath(dest);
  for (const entry of symlinks) {
    const resolved = await realpath(path.join(dest, entry.path)).catch(() => null);
    if (resolved === null || (resolved !== root && !resolved.startsWith(root + path.sep))) {
      throw couldNotUnzip(`symlink ${shown(entry)} does not resolve to a file inside the code folder`);
    }
  }
}

async function writeEntry(zip: Buffer, entry: ZipEntry, file: string): Promise<void> {
  const compressed = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  if (entry.method === 0 || entry.size <= SMALL_ENTRY_BYTES) {
    await writeFile(file, inflateSmall(compressed, entry), { flag: 'wx' });
  } else {
    await inflateToFile(compressed, entry, file);
  }
  await chmod(file, (entry.mode ?? DEFAULT_FILE_MODE) & 0o777);
}

/** One entry inflated in memory, never past its declared size; its length and CRC checked. */
function inflateSmall(compressed: Buffer, entry: ZipEntry): Buffer {
  let data: Buffer;
  if (entry.method === 0) data = compressed;
  else {
    try {
      data = inflateRawSync(compressed, { maxOutputLength: entry.size + 1 });
    } catch {
      throw couldNotUnzip(`entry ${shown(entry)} is corrupt or larger than its declared size`);
    }
  }
  if (data.length !== entry.size) throw couldNotUnzip(`entry ${shown(entry)} does not match its declared size`);
  if (crc32(data) >>> 0 !== entry.crc) throw couldNotUnzip(`entry ${shown(entry)} fails its CRC check`);
  return data;
}

async function inflateToFile(compressed: Buffer, entry: ZipEntry, file: string): Promise<void> {
  let written = 0;
  let crc = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      if (written > entry.size) {
        callback(couldNotUnzip(`entry ${shown(entry)} is larger than its declared size`));
        return;
      }
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.from([compressed]), createInflateRaw(), counter, createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    if (error instanceof AwsError) throw error;
    if (String((error as NodeJS.ErrnoException).code).startsWith('Z_')) {
      throw couldNotUnzip(`entry ${shown(entry)} is corrupt`);
    }
    throw error;
  }
  if (written !== entry.size) throw couldNotUnzip(`entry ${shown(entry)} does not match its declared size`);
  if (crc >>> 0 !== entry.crc) throw couldNotUnzip(`entry ${shown(entry)} fails its CRC check`);
}

/** A symlink as AWS keeps it, as long as it resolves to something inside the code folder. */
async function makeLink(zip: Buffer, entry: ZipEntry, dest: string): Promise<void> {
  const compressed = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  if (entry.size > 4096) throw couldNotUnzip(`symlink ${shown(entry)} has a target over 4096 bytes`);
  const target = inflateSmall(compressed, entry).toString('utf8');
  const inside = path.posix.normalize(path.posix.join(path.posix.dirname(entry.path), target));
  if (!target || target.includes('\0') || path.posix.isAbsolute(target) || inside.split('/')[0] === '..') {
    throw couldNotUnzip(`symlink ${shown(entry)} points outside the code folder`);
  }
  await symlink(target, path.join(dest, entry.path));
}

/** Filesystem refusals caused by the zip's layout are the zip's fault (400); others are ours, without host paths. */
function storeError(error: unknown, entry: ZipEntry): unknown {
  if (error instanceof AwsError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  if (['EEXIST', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'ELOOP'].includes(code)) {
    return couldNotUnzip(
      `entry ${shown(entry)} cannot be created (${code}: it clashes with another entry or is too long)`,
    );
  }
  return new AwsError('ServiceException', 500, `Lambda could not store the unpacked code (${code}).`);
}
