import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { lambenchBin, runLambench } from '../helpers/cli.js';

/** `lambench serve --credentials KEY:SECRET` as a user runs it. */
describe('lambench serve --credentials', () => {
  it('verifies signatures: the configured secret works, another is refused', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-creds-'));
    const serve = spawn(
      process.execPath,
      [
        lambenchBin,
        'serve',
        '--json',
        '--quiet',
        '--data-dir',
        path.join(cwd, 'data'),
        '--credentials',
        'AKIAME:s3cr:et',
      ],
      { cwd },
    );
    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    try {
      const endpoints = await new Promise<{ lambda: string; s3: string }>((resolve, reject) => {
        let out = '';
        serve.stdout.on('data', (c) => {
          out += c;
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '{}'));
        });
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect(JSON.stringify(endpoints)).not.toContain('s3cr'); // the secret is never printed
      const client = (secretAccessKey: string) => ({
        lambda: new LambdaClient({
          endpoint: endpoints.lambda,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIAME', secretAccessKey },
        }),
        s3: new S3Client({
          endpoint: endpoints.s3,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: { accessKeyId: 'AKIAME', secretAccessKey },
        }),
      });
      const right = client('s3cr:et');
      expect((await right.lambda.send(new ListFunctionsCommand({}))).$metadata.httpStatusCode).toBe(200);
      expect((await right.s3.send(new ListBucketsCommand({}))).$metadata.httpStatusCode).toBe(200);
      const wrong = client('guess');
      await expect(wrong.lambda.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
      });
      await expect(wrong.s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
      for (const c of [right, wrong]) for (const sdk of Object.values(c)) sdk.destroy();
    } finally {
      serve.kill('SIGINT');
      expect(await exited).toBe(130);
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it.each([['nocolon'], ['KEY:'], [':secret']])('refuses --credentials %s with exit code 2', async (value) => {
    const { code, stderr } = await runLambench(['serve', '--credentials', value], os.tmpdir());
    expect(code).toBe(2);
    expect(stderr).toMatch(/--credentials must be KEY:SECRET/);
  });
});
