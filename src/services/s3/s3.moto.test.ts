import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe } from 'vitest';
import { pythonRuntime } from '../../runtimes/python/adapter.js';
import { s3Contract } from './s3.contract.js';

/**
 * The same contract against moto's server (PyPI `moto[server]`), a widely used S3 reference: it shows the suite
 * encodes S3's behaviour rather than our server's. Installed into a temp folder with pip; skipped without Python.
 */
const python = await pythonRuntime.detect();
let dir: string;
let moto: ChildProcess | undefined;
let endpoint = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe.skipIf(!python.available)('S3 contract against moto', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-moto-'));
    const site = path.join(dir, 'site');
    await new Promise<void>((resolve, reject) =>
      execFile(
        python.path ?? 'python3',
        ['-m', 'pip', 'install', '--quiet', '--target', site, 'moto[server]'],
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    const port = await freePort();
    moto = spawn(python.path ?? 'python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, PYTHONPATH: site },
      stdio: 'ignore',
    });
    endpoint = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${endpoint}/moto-api/`).then(
        () => true,
        () => false,
      );
      if (up) return;
      await sleep(100);
    }
    throw new Error('moto did not start');
  }, 300_000);

  afterAll(async () => {
    moto?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  // moto 5 stores bodies with a wrong x-amz-checksum-crc32; AWS documents BadDigest, which our server follows.
  s3Contract('moto', () => endpoint, { acceptsBadChecksums: true });
});
