import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, snapshot } from './leftovers.js';

/** The fault matrix's leak check sees leaks: a child process, a socket, a staging folder, each named. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-leftovers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('settled', () => {
  it('passes when nothing is left, and names what is: process, socket, staging folder', async () => {
    await settled(snapshot([dir]), { watchedDirs: [dir], timeoutMs: 200 });
    const baseline = snapshot([dir]);
    const child = spawn('sleep', ['30']);
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    await mkdir(path.join(dir, `abc.tmp-${process.pid}-0123abcd`));
    try {
      const error = await settled(baseline, { watchedDirs: [dir], timeoutMs: 200 }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(new RegExp(`processes: ${child.pid} \\S+ sleep 30`));
      expect(message).toMatch(/fds: .*socket:\[\d+\]/);
      expect(message).toContain(`abc.tmp-${process.pid}-0123abcd`);
    } finally {
      child.kill('SIGKILL');
      server.close();
      await rm(path.join(dir, `abc.tmp-${process.pid}-0123abcd`), { recursive: true });
    }
    // Gone again (the child reaped, the listener closed): back to the baseline.
    await settled(baseline, { watchedDirs: [dir] });
  });
});
