import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';

/**
 * The AWS CLI (PyPI `awscli`): the one on PATH when it runs, else pip-installed once into the project's test cache
 * (a temp folder renamed into place, so an interrupted install is never half-used) and run as `python3 -m awscli`.
 */
export interface AwsCli {
  run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
}

const siteDir = path.join(packageRoot, '.lambench', 'test-cache', 'awscli-site');

const exec = (file: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(file, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    ),
  );

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

export async function awsCli(): Promise<AwsCli> {
  if ((await exec('aws', ['--version'])).code === 0) {
    return { run: (args, env) => exec('aws', args, { ...process.env, ...env }) };
  }
  const python = process.env.LAMBENCH_PYTHON ?? 'python3';
  if (!(await exists(path.join(siteDir, 'awscli')))) {
    await mkdir(path.dirname(siteDir), { recursive: true });
    const temp = await mkdtemp(`${siteDir}.tmp-`);
    try {
      const pip = await exec(python, [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--target',
        temp,
        'awscli',
      ]);
      if (pip.code !== 0) throw new Error(`pip install awscli: ${pip.stderr}`);
      await rename(temp, siteDir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
  return {
    run: (args, env) =>
      exec(python, ['-m', 'awscli', ...args], { ...process.env, ...env, PYTHONPATH: siteDir, PYTHONNOUSERSITE: '1' }),
  };
}
