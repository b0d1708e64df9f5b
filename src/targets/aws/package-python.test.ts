import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testFunctionVersion } from '../../engine/test-helpers/function-version.js';
import type { FunctionVersion } from '../../engine/types.js';
import { pythonRuntime } from '../../runtimes/python/adapter.js';
import { packageFunction } from './package.js';

const status = await pythonRuntime.detect();
// The project's cache, as `lambench deploy` uses it: pip downloads the wheels once, later runs reuse the install.
const cacheDir = path.resolve('.lambench', 'cache');
let work: string;

const fn = (codeDir: string, fields: Partial<FunctionVersion>): FunctionVersion =>
  testFunctionVersion({ name: 'py-deps', runtime: 'python3.12', handler: 'app.handler', codeDir, ...fields });

describe.skipIf(!status.available)(`packaging a Python function with requirements.txt (${status.path})`, () => {
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'lambench-package-py-'));
    await writeFile(path.join(work, 'app.py'), 'import six\ndef handler(e, c):\n    return six.PY3\n');
    await writeFile(path.join(work, 'function.json'), '{}');
    // six: a pure wheel; markupsafe: a small one with a compiled extension, which shows the platform chosen.
    await writeFile(path.join(work, 'requirements.txt'), 'six==1.16.0\nmarkupsafe==3.0.2\n');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('carries the dependencies at the zip root, next to the handler, built for Lambda (x86_64)', async () => {
    const names = Object.keys(unzipSync(await packageFunction(fn(work, {}), cacheDir)));
    expect(names).toEqual(expect.arrayContaining(['app.py', 'requirements.txt', 'six.py', 'markupsafe/__init__.py']));
    expect(names).toContain('markupsafe/_speedups.cpython-312-x86_64-linux-gnu.so');
    expect(names.filter((name) => /__pycache__|^function\.json$|^complete$/.test(name))).toEqual([]);
  }, 120_000);

  it('for arm64 and another Python, the wheels of that platform and version, whatever the host', async () => {
    const zip = await packageFunction(fn(work, { architecture: 'arm64', runtime: 'python3.11' }), cacheDir);
    const names = Object.keys(unzipSync(zip));
    expect(names).toContain('six.py');
    expect(names).toContain('markupsafe/_speedups.cpython-311-aarch64-linux-gnu.so');
    expect(names.filter((name) => name.includes('x86_64'))).toEqual([]);
  }, 120_000);

  it('a function of its own wins over a dependency of the same name', async () => {
    const dir = await mkdtemp(path.join(work, 'own-six-'));
    await writeFile(path.join(dir, 'six.py'), 'PY3 = "mine"\n');
    await writeFile(path.join(dir, 'requirements.txt'), 'six==1.16.0\nmarkupsafe==3.0.2\n');
    const zip = unzipSync(await packageFunction(fn(dir, {}), cacheDir));
    expect(Buffer.from(zip['six.py'] ?? []).toString()).toBe('PY3 = "mine"\n');
  }, 120_000);
});
