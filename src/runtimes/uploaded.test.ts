import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { type LambdaServer, startLambdaServer } from '../engine/http/server.js';

let work: string;
let engine: Engine;
let server: LambdaServer;
let lambda: LambdaClient;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'lambench-uploaded-'));
  engine = await Engine.create({ cacheDir: path.join(work, 'cache'), isolation: 'none' });
  server = await startLambdaServer(engine, { port: 0, dataDir: path.join(work, 'data') });
  lambda = new LambdaClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
  await engine?.close();
  await rm(work, { recursive: true, force: true });
});

describe('uploaded code is never built on the host', () => {
  it('does not run cargo (nor its build.rs) for a provided.al2023 zip holding only a Cargo.toml', async () => {
    const marker = path.join(work, 'build-rs-ran');
    const files = {
      'Cargo.toml': strToU8('[package]\nname = "evil"\nversion = "0.1.0"\nedition = "2021"\nbuild = "build.rs"\n'),
      'Cargo.lock': strToU8('version = 3\n\n[[package]]\nname = "evil"\nversion = "0.1.0"\n'),
      'build.rs': strToU8(`fn main() { std::fs::write(${JSON.stringify(marker)}, "ran").unwrap(); }\n`),
      'src/main.rs': strToU8('fn main() {}\n'),
    };
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'cargo-only',
        Runtime: 'provided.al2023',
        Handler: 'bootstrap',
        Role: 'arn:aws:iam::123456789012:role/test',
        Code: { ZipFile: zipSync(files) },
      }),
    );
    const answer = await lambda
      .send(new InvokeCommand({ FunctionName: 'cargo-only', Payload: Buffer.from('{}') }))
      .then(
        (out) => ({ functionError: out.FunctionError, payload: Buffer.from(out.Payload ?? []).toString() }),
        (error: Error) => ({ functionError: error.name, payload: error.message }),
      );
    // No bootstrap: the invocation fails (AWS: Runtime.InvalidEntrypoint), and nothing was compiled or run.
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(work, 'cache', 'cargo-target'))).toBe(false);
    expect(answer.functionError).toBeTruthy();
    expect(answer.payload).toMatch(/bootstrap/);
  });

  it('does not pip-install the requirements.txt of an uploaded Python zip (a local package would run its build hooks)', async () => {
    const marker = path.join(work, 'pip-build-ran');
    // An in-tree PEP 517 backend: pip calls it without downloading anything, so it would run offline too.
    const backend = `import pathlib\npathlib.Path(${JSON.stringify(marker)}).write_text("ran")\ndef build_wheel(*a, **k): raise SystemExit(1)\n`;
    // pip resolves a requirement's path against the engine's cwd, so the package sits at a known host path here.
    const pkg = path.join(work, 'pkg');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      path.join(pkg, 'pyproject.toml'),
      '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
    );
    await writeFile(path.join(pkg, 'backend.py'), backend);
    const files = {
      'index.py': strToU8('def handler(event, context):\n    return {"ok": True}\n'),
      'requirements.txt': strToU8(`${pkg}\n`),
    };
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'pip-hook',
        Runtime: 'python3.12',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::123456789012:role/test',
        Code: { ZipFile: zipSync(files) },
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'pip-hook', Payload: Buffer.from('{}') }));
    expect(existsSync(marker)).toBe(false);
    expect(Buffer.from(out.Payload ?? []).toString()).toBe('{"ok": true}');
  });
});
