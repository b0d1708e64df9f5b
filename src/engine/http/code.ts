import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { AwsError, invalidParameter } from '../../errors.js';
import { hostAwsSdkDir } from '../../runtimes/nodejs/bundle.js';
import { removeStale } from '../persist.js';
import type { CodeLocation } from '../registry.js';
import { extractZip } from '../zip/extract.js';

/** Lambda's limit for a zip uploaded directly (ZipFile): 50 MB zipped (the 250 MB unzipped one is in zip/extract). */
const MAX_ZIP_BYTES = 52_428_800;

/**
 * Unpacks a CreateFunction / UpdateFunctionCode ZipFile (base64) into `<dataDir>/functions/<name>/<sha>/`, as
 * Lambda keeps it: unix modes, directories and symlinks (see zip/extract). A refused zip leaves nothing behind.
 */
export async function unpackZip(dataDir: string, functionName: string, zipBase64: unknown): Promise<CodeLocation> {
  if (typeof zipBase64 !== 'string' || zipBase64.length === 0) {
    throw invalidParameter(
      'Code.ZipFile is required (base64 of a .zip); Code.S3Bucket is not supported by the local engine.',
    );
  }
  const zip = Buffer.from(zipBase64, 'base64');
  if (zip.length > MAX_ZIP_BYTES) throw invalidParameter(`Zipped size must be smaller than ${MAX_ZIP_BYTES} bytes`);
  const sha256 = createHash('sha256').update(zip).digest('base64');
  const folder = createHash('sha256').update(zip).digest('hex').slice(0, 16);
  const functionDir = path.join(dataDir, 'functions', functionName);
  const target = path.join(functionDir, folder);
  try {
    await removeStale(functionDir);
    // The folder is named by the zip's hash and only ever appears complete (by rename): the same zip is already there.
    if (!existsSync(target)) {
      const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await extractZip(zip, staging);
        await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
          // Another upload of the same zip finished first.
          if (!existsSync(target)) throw error;
        });
      } finally {
        await rm(staging, { recursive: true, force: true });
        await removeEmpty(functionDir);
      }
    }
    await provideAwsSdk(path.join(dataDir, 'functions'));
  } catch (error) {
    // The zip's faults are 400s already; anything else is the engine's, told without the host's paths.
    if (error instanceof AwsError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'internal error';
    throw new AwsError('ServiceException', 500, `Lambda could not store the function code (${code}).`);
  }
  return { codeDir: target, codeSha256: sha256, codeSize: zip.length };
}

async function removeEmpty(dir: string): Promise<void> {
  if ((await readdir(dir).catch(() => ['?'])).length === 0) await rm(dir, { recursive: true, force: true });
}

/**
 * AWS's Node.js runtimes let a deployed ES module `import '@aws-sdk/client-s3'` without shipping it. ESM ignores
 * NODE_PATH and resolves bare imports through the node_modules folders above the module, so one link to the host's
 * SDK above every unpacked function plays /var/runtime's part; a zip that carries its own SDK still wins, being nearer.
 */
async function provideAwsSdk(functionsDir: string): Promise<void> {
  const sdkDir = hostAwsSdkDir();
  const link = path.join(functionsDir, 'node_modules', '@aws-sdk');
  if (!sdkDir || existsSync(link)) return;
  await mkdir(path.dirname(link), { recursive: true });
  await symlink(sdkDir, link, 'dir').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
