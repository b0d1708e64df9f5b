import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { LambenchError } from '../../errors.js';

/** Hash of every source file in a folder (node_modules excluded), to key bundles. */
async function hashSources(dir: string): Promise<string> {
  const hash = createHash('sha256');
  async function walk(rel: string): Promise<void> {
    const entries = (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (/\.(m|c)?[jt]sx?$|\.json$/.test(entry.name))
        hash.update(child).update(await readFile(path.join(dir, child)));
    }
  }
  await walk('');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bundles a TypeScript entry with esbuild as CDK's NodejsFunction does (ESM, node20 target), but with the AWS SDK
 * included: the bundle then runs from the cache without the project's node_modules, like a deployed zip.
 */
export async function bundleEntry(entry: string, outDir: string, outName: string, extraKey = ''): Promise<string> {
  const key = `${await hashSources(path.dirname(entry))}${extraKey}`;
  const targetDir = path.join(outDir, key);
  const outFile = path.join(targetDir, outName);
  if (existsSync(outFile)) return targetDir;
  const { build } = await import('esbuild');
  const staging = `${targetDir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    await build({
      entryPoints: [entry],
      outfile: path.join(staging, outName),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
      // Some CommonJS dependencies call require() for built-ins; give the ESM bundle one.
      banner: {
        js: "import { createRequire as __lambenchRequire } from 'node:module'; const require = __lambenchRequire(import.meta.url);",
      },
    });
    await rename(staging, targetDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process built the same bundle first: keep theirs.
      if (!existsSync(outFile)) throw error;
      await rm(staging, { recursive: true, force: true });
    });
    return targetDir;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof LambenchError) throw error;
    const message =
      (error as { errors?: Array<{ text: string }> }).errors?.map((e) => e.text).join('; ') ?? String(error);
    throw new LambenchError(
      'BUILD_FAILED',
      `esbuild could not bundle ${entry}: ${message}`,
      'Fix the TypeScript error above.',
    );
  }
}
