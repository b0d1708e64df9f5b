import { describe, expect, it } from 'vitest';
import { ProgressReporter } from './progress.js';
import type { SizeProgress } from './run.js';

const ESC = String.fromCharCode(27);
/** Carriage return + erase line: how the status line is rewritten. */
const CLEAR = `\r${ESC}[2K`;

function stream(isTTY: boolean) {
  let out = '';
  const write = (chunk: string) => {
    out += chunk;
    return true;
  };
  const s = { isTTY, columns: 200, write };
  return { s: s as unknown as NodeJS.WriteStream, text: () => out };
}

const steps = (): SizeProgress[] =>
  [128, 256]
    .flatMap((memoryMB, sizeIndex) =>
      [0, 1, 2].map((done) => ({ memoryMB, sizeIndex, sizes: 2, done, total: 2, errors: 0 }) as SizeProgress),
    )
    .filter((p) => p.done <= p.total);

describe('progress of long runs', () => {
  it('on a terminal: one status line rewritten in place (experiment, function, size, invocation, ETA), logs above it', () => {
    const { s, text } = stream(true);
    const progress = new ProgressReporter(s, true);
    const onProgress = progress.forTune({ experiment: 'cpu (1/8)', label: 'cpu-node threads ×2' });
    const [first, ...rest] = steps();
    onProgress(first as SizeProgress);
    progress.log('a log line');
    for (const p of rest) onProgress(p);
    const out = text();
    expect(out).toContain(`${CLEAR}cpu (1/8) · cpu-node threads ×2 · 128 MB (size 1/2): invocation 0/2`);
    expect(out).toContain('256 MB (size 2/2): invocation 2/2');
    expect(out).toMatch(/ETA (\d+ s|\?)/);
    // The log line is printed on a cleared line, then the status line comes back.
    expect(out).toContain(`${CLEAR}a log line\ncpu (1/8)`);
    // The last size's last invocation ends the status line.
    expect(out.endsWith(CLEAR)).toBe(true);
  });

  it('elsewhere: a plain line per finished size, no control characters', () => {
    const { s, text } = stream(false);
    const progress = new ProgressReporter(s);
    const onProgress = progress.forTune({ label: 'hello-node' });
    for (const p of steps()) onProgress(p);
    progress.log('done');
    const lines = text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^hello-node · 128 MB \(size 1\/2\): invocation 2\/2 · \d+ s elapsed, ETA \d+ s$/);
    expect(lines[1]).toMatch(/256 MB \(size 2\/2\): invocation 2\/2 · \d+ s elapsed, ETA done$/);
    expect(lines[2]).toBe('done');
    expect(text()).not.toContain('\r');
    expect(text()).not.toContain(ESC);
  });

  it('cuts the status line to the terminal width, so \\r rewrites all of it', () => {
    const { s, text } = stream(true);
    (s as unknown as { columns: number }).columns = 30;
    new ProgressReporter(s, true).forTune({ experiment: 'a very long experiment name' })(steps()[0] as SizeProgress);
    const line = text().split(CLEAR).at(-1) ?? '';
    expect(line.length).toBeLessThanOrEqual(29);
    expect(line.endsWith('…')).toBe(true);
  });
});
