import type { SizeProgress } from './run.js';

/**
 * One status line per memory size on a TTY (rewritten in place, with an ETA); nothing on a pipe or in CI, where
 * a line per finished size is printed instead.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const interactive = stream.isTTY === true && !process.env.CI;
  const started = Date.now();
  let invocationsDone = 0;
  let lastSize = -1;
  return (p: SizeProgress) => {
    if (p.sizeIndex !== lastSize) {
      lastSize = p.sizeIndex;
    }
    const overall = p.sizeIndex * p.total + p.done;
    invocationsDone = Math.max(invocationsDone, overall);
    const all = p.sizes * p.total;
    const elapsed = (Date.now() - started) / 1000;
    const eta = invocationsDone > 0 ? (elapsed / invocationsDone) * (all - invocationsDone) : 0;
    const line = `${p.memoryMB} MB (${p.sizeIndex + 1}/${p.sizes}): ${p.done}/${p.total} invocations${p.errors ? `, ${p.errors} errors` : ''} — ETA ${eta.toFixed(0)} s`;
    if (interactive) stream.write(`\r\x1b[2K${line}${p.done === p.total && p.sizeIndex + 1 === p.sizes ? '\n' : ''}`);
    else if (p.done === p.total) stream.write(`${line}\n`);
  };
}
