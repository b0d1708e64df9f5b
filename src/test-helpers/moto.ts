import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../paths.js';

/**
 * moto's server (PyPI `moto[server]`): an implementation of AWS's APIs we did not write, used to check that our
 * clients and our servers agree with someone else's reading of AWS. Installed once with pip into the project's
 * test cache (pip into a temp folder, then renamed, so an interrupted install is never half-used).
 */
export interface Moto {
  endpoint: string;
  /** Runs Python with moto's site on the path (boto3 comes with moto), e.g. to create an IAM role. */
  python(code: string): Promise<string>;
  stop(): Promise<void>;
}

const siteDir = path.join(packageRoot, '.lambench', 'test-cache', 'moto-site');

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<string>((resolve, reject) =>
    execFile(file, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );

async function installedSite(python: string): Promise<string> {
  if (
    await stat(path.join(siteDir, 'moto')).then(
      () => true,
      () => false,
    )
  )
    return siteDir;
  await mkdir(path.dirname(siteDir), { recursive: true });
  const temp = await mkdtemp(`${siteDir}.tmp-`);
  try {
    await run(python, [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--target',
      temp,
      'moto[server]',
    ]);
    await rename(temp, siteDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another run finished first: its install is as good as ours.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return siteDir;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

export async function startMoto(python: string): Promise<Moto> {
  const site = await installedSite(python);
  const port = await freePort();
  const env = {
    ...process.env,
    PYTHONPATH: site,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env,
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    const up = await fetch(`${endpoint}/moto-api/`).then(
      () => true,
      () => false,
    );
    if (up) {
      return {
        endpoint,
        python: (code) => run(python, ['-c', code], { ...env, MOTO_ENDPOINT: endpoint }),
        stop,
      };
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`moto did not start on ${endpoint}`);
}
