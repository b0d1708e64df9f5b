import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonRuntime } from '../../runtimes/python/adapter.js';
import { startS3Server } from './server.js';

const python = await pythonRuntime.detect();
const script = fileURLToPath(new URL('./boto3_conformance.py', import.meta.url));
let dir: string;
let server: Awaited<ReturnType<typeof startS3Server>>;
let site: string;

const run = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      python.path ?? 'python3',
      args,
      { env: { ...process.env, ...env }, maxBuffer: 1 << 24 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

describe.skipIf(!python.available)('embedded S3 driven by boto3 (default settings)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-boto3-'));
    site = path.join(dir, 'site');
    const install = await run(['-m', 'pip', 'install', '--quiet', '--target', site, 'boto3']);
    if (install.code !== 0) throw new Error(`pip install boto3 failed: ${install.stderr}`);
    server = await startS3Server({ dataDir: path.join(dir, 's3') });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips checksummed and multipart uploads, pages 1,500 keys, serves ranges, ACLs and NoSuchKey', async () => {
    const result = await run([script, server.endpoint], { PYTHONPATH: site });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.pages).toEqual([1000, 500]);
    expect(out.multipartETag).toMatch(/-3"$/);
    expect(out.noSuchKey).toBe(true);
  });
});
