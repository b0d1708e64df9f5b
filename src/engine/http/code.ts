import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { invalidParameter } from '../../errors.js';
import { hostAwsSdkDir } from '../../runtimes/nodejs/bundle.js';
import type { CodeLocation } from '../registry.js';

/** Lambda's limit for a zip uploaded directly (ZipFile): 50 MB zipped, 250 MB unzipped. */
const MAX_ZIP_BYTES = 50 * 1024 * 1024;
const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/**
 * Unpacks a CreateFunction / UpdateFunctionCode ZipFile (base64) into `<dataDir>/functions/<name>/<sha>/`.
 * Entries that would escape the folder are refused; `bootstrap` is made executable (zip modes are not kept).
 */
export async function unpackZip(dataDir: string, functionName: string, zipBase64: unknown): Promise<CodeLocation> {
  if (typeof zipBase64 !== 'string' || zipBase64.length === 0) {
    throw invalidParameter(
      'Code.ZipFile is required (base64 of a .zip); Code.S3Bucket is not supported by the local engine.',
    );
  }
  const zip = Buffer.from(zipBase64, 'base64');
  if (zip.length > MAX_ZIP_BYTES)
    throw invalidParameter(`The zip is ${zip.length} bytes; the limit is ${MAX_ZIP_BYTES}.`);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (error) {
    throw invalidParameter(`Could not unzip the uploaded file: ${(error as Error).message}`);
  }
  const total = Object.values(files).reduce((sum, f) => sum + f.length, 0);
  if (total > MAX_UNZIPPED_BYTES) {
    throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes (got ${total}).`);
  }
  const sha256 = createHash('sha256').update(zip).digest('base64');
  const folder = createHash('sha256').update(zip).digest('hex').slice(0, 16);
  const target = path.join(dataDir, 'functions', functionName, folder);
  const staging = `${target}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  for (const [name, data] of Object.entries(files)) {
    const destination = path.resolve(staging, name);
    if (!destination.startsWith(staging + path.sep))
      throw invalidParameter(`Zip entry "${name}" escapes the code folder.`);
    if (name.endsWith('/')) {
      await mkdir(destination, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(destination), { recursive: true });
    await writeFile(destination, data);
    if (path.basename(name) === 'bootstrap') await chmod(destination, 0o755);
  }
  await mkdir(staging, { recursive: true });
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  await provideAwsSdk(path.join(dataDir, 'functions'));
  return { codeDir: target, codeSha256: sha256, codeSize: zip.length };
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
