import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The tests that exercise isolation, run inside the cgroup v2 VM by check.mjs: the sandbox contract and the
 * engine's OOM, CPU-share, freeze, peak-memory and cleanup tests. The project is read-only there (and may belong to
 * another user), so the report and Vite's cache go where check.mjs says.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  cacheDir: path.join(os.tmpdir(), 'lambench-vm-vite-cache'),
  test: {
    include: ['src/sandbox/sandbox.test.ts', 'src/engine/engine.test.ts'],
    // Software emulation runs code about 20× slower than the host.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    reporters: [
      'default',
      ['json', { outputFile: process.env.LAMBENCH_VM_REPORT ?? path.join(os.tmpdir(), 'vm.json') }],
    ],
  },
});
