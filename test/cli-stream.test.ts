import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

  it('refuses --stream with --target aws, saying what to do', async () => {
    const { code, stderr } = await runLambench(['invoke', 'x', '--stream', '--target', 'aws'], cwd);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--stream runs on the local engine only/);
  });
});
