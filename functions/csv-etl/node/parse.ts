/**
 * csv-etl-node's hand-written streaming parser, in its own module so bench/csv-etl.mjs times exactly what the function
 * runs. Bytes are split on newlines as they arrive (a partial last line carries over to the next chunk), so memory
 * stays flat whatever the object's size. Rules (functions/csv-etl/README.md): the first line is the header and is
 * skipped, a trailing `\r` is dropped, blank lines are ignored, fields are split on `,` with no quoting.
 * Self-contained (no imports), so the benchmark can compile it on its own.
 */
export class CsvLineSplitter {
  #carry = '';
  #header = true;
  readonly #decoder = new TextDecoder();

  constructor(private readonly onRow: (fields: string[]) => void) {}

  /** Feeds one chunk of the object; calls onRow for every complete data line in it. */
  push(chunk: Uint8Array): void {
    const text = this.#carry + this.#decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      this.#line(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end));
      start = end + 1;
    }
    this.#carry = text.slice(start);
  }

  /** Handles a last line without a newline; false when the object had no header line at all (it was empty). */
  end(): boolean {
    const last = this.#carry + this.#decoder.decode();
    this.#carry = '';
    if (last) this.#line(last.endsWith('\r') ? last.slice(0, -1) : last);
    return !this.#header;
  }

  #line(line: string): void {
    // The header is whatever the first line holds, even blank: it is required, and never counted as a row.
    if (this.#header) this.#header = false;
    else if (line) this.onRow(line.split(','));
  }
}
