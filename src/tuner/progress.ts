import type { SizeProgress } from './run.js';

/** Where a tune sits in a longer run (`lambench run`): the experiment and the function being tuned. */
export interface ProgressScope {
  /** "csv-etl (3/8)" */
  experiment?: string;
  /** The tune's label: the function, or the experiment's variant. */
  label?: string;
}

const duration = (s: number) =>
  !Number.isFinite(s) ? '?' : s < 90 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;

/**
 * The progress of long runs. On a terminal: one status line (experiment, function, size, invocation, elapsed and
 * ETA of the tune) rewritten in place and refreshed every second, with log lines printed above it. Elsewhere (a
 * pipe, a file, CI): no status line, but a plain line per finished memory size, so a log shows how far it got.
 */
export class ProgressReporter {
  readonly interactive: boolean;
  readonly #stream: NodeJS.WriteStream;
  #status = '';
  #timer: NodeJS.Timeout | undefined;
  #render: (() => string) | undefined;

  constructor(stream: NodeJS.WriteStream = process.stderr, interactive?: boolean) {
    this.#stream = stream;
    this.interactive = interactive ?? (stream.isTTY === true && !process.env.CI);
  }

  /** A line of its own (never overwritten): above the status line on a terminal. */
  log(message: string): void {
    if (this.interactive && this.#status) this.#stream.write('\r\x1b[2K');
    this.#stream.write(`${message}\n`);
    if (this.interactive && this.#status) this.#stream.write(this.#status);
  }

  /** The tuner's onProgress for one tune in `scope`: ETA from this tune's own pace. */
  forTune(scope: ProgressScope = {}): (p: SizeProgress) => void {
    const started = Date.now();
    let latest: SizeProgress | undefined;
    const line = () => {
      const p = latest;
      if (!p) return '';
      const done = p.sizeIndex * p.total + p.done;
      const all = p.sizes * p.total;
      const elapsed = (Date.now() - started) / 1000;
      const eta = done > 0 ? (elapsed / done) * (all - done) : Number.NaN;
      const where = [scope.experiment, scope.label].filter(Boolean).join(' · ');
      return `${where ? `${where} · ` : ''}${p.memoryMB} MB (size ${p.sizeIndex + 1}/${p.sizes}): invocation ${p.done}/${p.total}${p.errors ? `, ${p.errors} errors` : ''} · ${duration(elapsed)} elapsed, ETA ${done === all ? 'done' : duration(eta)}`;
    };
    return (p: SizeProgress) => {
      latest = p;
      const finishedSize = p.done === p.total;
      if (!this.interactive) {
        if (finishedSize) this.#stream.write(`${line()}\n`);
        return;
      }
      this.#render = line;
      this.#draw();
      this.#timer ??= setInterval(() => this.#draw(), 1000).unref();
      if (finishedSize && p.sizeIndex + 1 === p.sizes) this.clear();
    };
  }

  /** Ends the status line (a tune finished): the next output starts on a clean line. */
  clear(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#render = undefined;
    if (this.interactive && this.#status) this.#stream.write('\r\x1b[2K');
    this.#status = '';
  }

  #draw(): void {
    const text = this.#render?.() ?? '';
    // A line wider than the terminal wraps, and \r would then rewrite only its last row.
    const width = this.#stream.columns ?? 120;
    this.#status = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
    this.#stream.write(`\r\x1b[2K${this.#status}`);
  }
}

/** The tuner's onProgress for `lambench tune`: a status line on a terminal, a line per size elsewhere. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: SizeProgress) => void {
  return new ProgressReporter(stream).forTune();
}
