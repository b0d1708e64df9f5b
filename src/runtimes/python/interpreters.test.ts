import { chmodSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { pythonRuntime, resolvePython } from './adapter.js';
import { findInterpreter } from './interpreters.js';

let work: string;

/** A stand-in interpreter: answers the probe as `sys.executable` = `real`, version `version`. */
async function fakePython(file: string, version: string, real = file): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\necho '${real}'\necho '${version}'\n`);
  chmodSync(file, 0o755);
}

const fallback = async () => ({ path: '/usr/bin/python3', version: '3.11.2' });

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-py-interp-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('findInterpreter', () => {
  it("takes pyenv's newest patch of the minor, as the binary it really is", async () => {
    const pyenvRoot = path.join(work, 'pyenv');
    await fakePython(path.join(pyenvRoot, 'versions', '3.12.1', 'bin', 'python3.12'), '3.12.1');
    await fakePython(path.join(pyenvRoot, 'versions', '3.12.10', 'bin', 'python3.12'), '3.12.10');
    await fakePython(path.join(pyenvRoot, 'versions', '3.13.0', 'bin', 'python3.13'), '3.13.0');
    const found = await findInterpreter('python3.12', { pyenvRoot, pathDirs: [], fallback });
    expect(found).toEqual({
      runtime: 'python3.12',
      path: path.join(pyenvRoot, 'versions', '3.12.10', 'bin', 'python3.12'),
      version: '3.12.10',
    });
  });

  it('resolves python3.X on PATH to its real binary and skips one that is another minor', async () => {
    const wrong = path.join(work, 'wrong-bin');
    const right = path.join(work, 'right-bin');
    await fakePython(path.join(wrong, 'python3.10'), '3.9.18');
    await fakePython(path.join(right, 'python3.10'), '3.10.13', '/opt/python/3.10.13/bin/python3.10');
    const found = await findInterpreter('python3.10', {
      pyenvRoot: path.join(work, 'none'),
      pathDirs: [wrong, right],
      fallback,
    });
    expect(found).toEqual({ runtime: 'python3.10', path: '/opt/python/3.10.13/bin/python3.10', version: '3.10.13' });
  });

  it('falls back to the default python3 and says which version ran instead', async () => {
    const found = await findInterpreter('python3.14', { pyenvRoot: path.join(work, 'none'), pathDirs: [], fallback });
    expect(found).toMatchObject({ path: '/usr/bin/python3', version: '3.11.2' });
    expect(found.deviation).toMatch(/^python3\.14 ran on Python 3\.11\.2 \(no python3\.14 on this host/);
    const same = await findInterpreter('python3.11', { pyenvRoot: path.join(work, 'none'), pathDirs: [], fallback });
    expect(same.deviation).toBeUndefined();
  });
});

const status = await pythonRuntime.detect();

describe.skipIf(!status.available)('Python runtimes through the engine', () => {
  let engine: Engine;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(work, 'fns-'));
    engine = await Engine.create({ cacheDir: path.join(dir, 'cache'), isolation: 'none' });
    for (const runtime of ['python3.11', 'python3.13', 'python3.14']) {
      const fnDir = path.join(dir, runtime);
      await mkdir(fnDir, { recursive: true });
      await writeFile(
        path.join(fnDir, 'app.py'),
        // boto3, as AWS's Python runtimes include it, on whichever interpreter runs the function.
        'import platform, sys, boto3\ndef handler(e, c):\n    return {"version": platform.python_version(), "exe": sys.executable, "boto3": boto3.__version__}\n',
      );
      await writeFile(
        path.join(fnDir, 'function.json'),
        JSON.stringify({ name: runtime.replace('.', '-'), runtime, handler: 'app.handler' }),
      );
      await engine.functions.registerFolder(fnDir);
    }
  });
  afterAll(async () => {
    await engine?.close();
  });

  for (const runtime of ['python3.11', 'python3.13', 'python3.14']) {
    it(`${runtime}: the result names the interpreter version that ran, and any deviation`, async () => {
      const result = await engine.invoke({ functionName: runtime.replace('.', '-'), payload: '{}' });
      const body = JSON.parse(result.payload.toString('utf8')) as { version: string; exe: string; boto3: string };
      expect(result.functionError, result.payload.toString('utf8')).toBeNull();
      expect(body.boto3).toMatch(/^1\.\d+\.\d+$/);
      expect(result.runtime).toBe(runtime);
      expect(result.runtimeVersion).toBe(body.version);
      const deviation = result.limitsNotApplied.find((line) => line.startsWith(`${runtime} ran on`));
      if (body.version.startsWith(`${runtime.slice('python'.length)}.`)) expect(deviation).toBeUndefined();
      else {
        expect(deviation).toBe(
          `${runtime} ran on Python ${body.version} (no python${runtime.slice(6)} on this host: install it, e.g. pyenv install ${runtime.slice(6)})`,
        );
        // Only the default interpreter stands in.
        expect(body.exe).toBe((await resolvePython()).path);
      }
      // A first run pip-installs boto3 for an interpreter that lacks it.
    }, 300_000);
  }
});
