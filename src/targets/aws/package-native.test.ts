import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Architecture, FunctionVersion } from '../../engine/types.js';
import { builtInFunctionsDir } from '../../paths.js';
import { isForeignBinaryDir, linkedDependencies, runsOnLambda } from './node-natives.js';
import { MAX_UNZIPPED_BYTES, packageFunction } from './package.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-package-native-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('prebuilt binaries of other platforms', () => {
  it.each([
    ['node_modules/onnxruntime-node/bin/napi-v6/darwin', 'x64', true],
    ['node_modules/onnxruntime-node/bin/napi-v6/win32/x64', 'x64', true],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux/arm64', 'x64', true],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux/x64', 'x64', false],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux/x64', 'arm64', true],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux/arm64', 'arm64', false],
    ['node_modules/onnxruntime-node/bin/napi-v6/linux', 'x64', false],
    ['node_modules/@scope/addon/prebuilds/darwin-x64+arm64', 'x64', true],
    ['node_modules/@scope/addon/prebuilds/linux-x64', 'x64', false],
    ['node_modules/@scope/addon/prebuilds/linux-x64-musl', 'x64', true],
    ['node_modules/@scope/addon/prebuilds/linux-aarch64', 'x64', true],
    // nodejs-polars' JavaScript lives in bin/: folders without a platform in their name stay.
    ['node_modules/nodejs-polars/bin/lazy', 'x64', false],
    // Outside node_modules (the function's own code) and outside bin/ or prebuilds/, nothing is left out.
    ['bin/darwin', 'x64', false],
    ['node_modules/some-lib/src/darwin', 'x64', false],
  ] as const)('%s for %s: left out %s', (dir, arch, foreign) => {
    expect(isForeignBinaryDir(dir, arch)).toBe(foreign);
  });

  it("package.json's os / cpu / libc decide whether a package runs on Lambda", () => {
    expect(runsOnLambda({}, 'x64')).toBe(true);
    expect(runsOnLambda({ os: ['linux'], cpu: ['x64'], libc: ['glibc'] }, 'x64')).toBe(true);
    expect(runsOnLambda({ os: ['linux'], cpu: ['x64'], libc: ['glibc'] }, 'arm64')).toBe(false);
    expect(runsOnLambda({ os: ['darwin'] }, 'x64')).toBe(false);
    expect(runsOnLambda({ os: ['!win32'] }, 'x64')).toBe(true);
    expect(runsOnLambda({ libc: ['musl'] }, 'x64')).toBe(false);
  });
});

describe('what linked native packages need at run time', () => {
  const write = async (root: string, files: Record<string, unknown>) => {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), typeof content === 'string' ? content : JSON.stringify(content));
    }
  };

  it('carries hoisted dependencies and the optional binary package for Lambda, not the others', async () => {
    const install = path.join(work, 'install');
    await write(install, {
      'node_modules/addon/package.json': {
        dependencies: { common: '1' },
        optionalDependencies: { 'addon-linux-x64-gnu': '1', 'addon-darwin-arm64': '1', 'addon-linux-arm64-gnu': '1' },
      },
      'node_modules/common/package.json': { dependencies: { nested: '1', shared: '1' } },
      'node_modules/common/node_modules/nested/package.json': {},
      'node_modules/shared/package.json': {},
      'node_modules/addon-linux-x64-gnu/package.json': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
      'node_modules/addon-darwin-arm64/package.json': { os: ['darwin'], cpu: ['arm64'] },
      'node_modules/unrelated/package.json': {},
    });
    const bundle = path.join(work, 'bundle');
    await mkdir(path.join(bundle, 'node_modules'), { recursive: true });
    await symlink(path.join(install, 'node_modules', 'addon'), path.join(bundle, 'node_modules', 'addon'));
    const names = async (architecture: Architecture) =>
      (await linkedDependencies(bundle, architecture)).map((d) => d.name).sort();
    // nested travels inside common's folder; unrelated is not needed; arm64's binary package was never installed.
    expect(await names('x86_64')).toEqual([
      'node_modules/addon-linux-x64-gnu',
      'node_modules/common',
      'node_modules/shared',
    ]);
    expect(await names('arm64')).toEqual(['node_modules/common', 'node_modules/shared']);
  });
});

/** A built-in function as `lambench deploy` reads it. */
const builtIn = (folder: string, architecture?: Architecture): FunctionVersion => {
  const codeDir = path.join(builtInFunctionsDir, folder);
  const config = JSON.parse(readFileSync(path.join(codeDir, 'function.json'), 'utf8')) as Partial<FunctionVersion>;
  return { ...config, ...(architecture ? { architecture } : {}), codeDir, version: '$LATEST' } as FunctionVersion;
};
// The project's cache, as `lambench deploy` uses it: npm installs the functions' dependencies once (about a minute).
const cacheDir = path.resolve('.lambench', 'cache');
const unzippedSize = (files: Record<string, Uint8Array>) =>
  Object.values(files).reduce((sum, data) => sum + data.length, 0);

describe('packaging functions with native addons', () => {
  it('onnx-node: only the linux/x64 onnxruntime binaries, with onnxruntime-common, under 250 MB', async () => {
    const files = unzipSync(await packageFunction(builtIn('onnx/node'), cacheDir));
    const names = Object.keys(files);
    expect(names).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node');
    expect(names).toContain('node_modules/onnxruntime-common/package.json');
    expect(names.filter((name) => /darwin|win32|linux\/arm64/.test(name))).toEqual([]);
    expect(unzippedSize(files)).toBeLessThan(MAX_UNZIPPED_BYTES);
  }, 300_000);

  it('onnx-node for arm64: the linux/arm64 binaries instead', async () => {
    const names = Object.keys(unzipSync(await packageFunction(builtIn('onnx/node', 'arm64'), cacheDir)));
    expect(names).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node');
    expect(names.filter((name) => /darwin|win32|linux\/x64/.test(name))).toEqual([]);
  }, 300_000);

  it('csv-etl-node-polars: nodejs-polars with its linux-x64-gnu binary package, which it loads by name', async () => {
    const names = Object.keys(unzipSync(await packageFunction(builtIn('csv-etl/node-polars'), cacheDir)));
    expect(names).toContain('node_modules/nodejs-polars/package.json');
    expect(names).toContain('node_modules/nodejs-polars-linux-x64-gnu/nodejs-polars.linux-x64-gnu.node');
  }, 300_000);
});
