import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambenchBin, runLambench } from './helpers/cli.js';

let cwd: string;

/** A streaming function that writes "a", waits for the file named in the event, then writes "b". */
const STREAMER = `import fs from 'node:fs';
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('a');
  if (event.signal) await new Promise((resolve) => { const poll = () => (fs.existsSync(event.signal) ? resolve() : setTimeout(poll, 5)); poll(); });
  responseStream.end('b');
});`;

beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'lambench-cli-stream-'));
  const dir = path.join(cwd, 'functions', 'streamer');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'index.mjs'), STREAMER);
  await writeFile(
    path.join(dir, 'function.json'),
    JSON.stringify({ name: 'streamer', runtime: 'nodejs20.x', handler: 'index.handler', timeout: 30 }),
  );
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('lambench invoke --stream', () => {
  it('prints chunks as they arrive, then the time to first byte', { timeout: 120_000 }, async () => {
    const signal = path.join(cwd, 'signal');
    const child = spawn(
      process.execPath,
      [
        lambenchBin,
        'invoke',
        './functions/streamer',
        '--stream',
        '--isolation',
        'none',
        '--payload',
        JSON.stringify({ signal }),
      ],
      { cwd },
    );
    let stdout = '';
    let stderr = '';
    let sawFirstBeforeSignal = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      // The function cannot end before the signal exists: "a" on stdout now was streamed, not buffered.
      if (stdout.startsWith('a') && !existsSync(signal)) {
        sawFirstBeforeSignal = true;
        void writeFile(signal, '');
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(sawFirstBeforeSignal).toBe(true);
    expect(stdout).toBe('ab\n');
    expect(stderr).toMatch(/REPORT RequestId: /);
    expect(stderr).toMatch(/Time to first byte: [\d.]+ ms\tDuration: [\d.]+ ms/);
  });

  it('--json carries firstByteMs and the streamed payload', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runLambench(
      ['invoke', './functions/streamer', '--stream', '--json', '--isolation', 'none'],
      cwd,
    );
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.payload).toBe('ab');
    expect(out.firstByteMs).toBeGreaterThan(0);
    expect(out.firstByteMs).toBeLessThanOrEqual(out.report.durationMs);
  });

  it('serve answers InvokeWithResponseStreamCommand, the first chunk before the handler returns', {
    timeout: 120_000,
  }, async () => {
    const child = spawn(process.execPath, [lambenchBin, 'serve', '--json', '--quiet', '--isolation', 'none'], { cwd });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c) => {
          out += c;
          if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
        });
        child.once('close', () => reject(new Error('serve exited before printing its endpoints')));
      });
      const lambda = new LambdaClient({
        endpoint: JSON.parse(line).lambda,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const signal = path.join(cwd, 'serve-signal');
      const out = await lambda.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'streamer',
          Payload: Buffer.from(JSON.stringify({ signal })),
        }),
      );
      const seen: string[] = [];
      for await (const event of out.EventStream ?? []) {
        if (event.PayloadChunk) {
          seen.push(Buffer.from(event.PayloadChunk.Payload ?? []).toString());
          if (seen.length === 1) {
            seen.push(existsSync(signal) ? 'signal already there' : 'before the signal');
            await writeFile(signal, '');
          }
        } else if (event.InvokeComplete) seen.push(`complete ${JSON.stringify(event.InvokeComplete)}`);
      }
      lambda.destroy();
      expect(seen).toEqual(['a', 'before the signal', 'b', 'complete {}']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(130);
  });

  it('refuses --stream with --target aws, saying what to do', async () => {
    const { code, stderr } = await runLambench(['invoke', 'x', '--stream', '--target', 'aws'], cwd);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--stream runs on the local engine only/);
  });
});
