/**
 * What an environment keeps of one invocation's output: its first HEAD_CHARS and its last TAIL_CHARS, with a line
 * saying how much was left out between them. A function may print without limit (CloudWatch keeps it all); the
 * engine must not hold it all (a 512 MB string is past V8's limit and crashes the process). Everything printed is
 * still passed on as it arrives (`onOutput`: serve's output); the kept tail is longer than Tail's 4 KB in bytes
 * (a UTF-16 unit is at least one UTF-8 byte), so LogType Tail is exactly the log's last 4 KB, as on AWS.
 */
export const HEAD_CHARS = 256 * 1024;
export const TAIL_CHARS = 8 * 1024;

export class BoundedLog {
  #head = '';
  #tail = '';
  /** Bytes (UTF-8) dropped between head and tail. */
  #omittedBytes = 0;

  append(text: string): void {
    if (this.#tail === '' && this.#head.length < HEAD_CHARS) {
      const room = HEAD_CHARS - this.#head.length;
      if (text.length <= room) {
        this.#head += text;
        return;
      }
      const cut = safeCut(text, room);
      this.#head += text.slice(0, cut);
      text = text.slice(cut);
    }
    this.#tail += text;
    // Trim in batches (at twice the kept size) so a stream of small writes does not copy the tail every time.
    if (this.#tail.length > 2 * TAIL_CHARS) {
      const cut = safeCut(this.#tail, this.#tail.length - TAIL_CHARS);
      this.#omittedBytes += Buffer.byteLength(this.#tail.slice(0, cut));
      this.#tail = this.#tail.slice(cut);
    }
  }

  /** The kept log, then empty again. */
  take(): string {
    const omitted = this.#omittedBytes;
    const log =
      omitted === 0
        ? this.#head + this.#tail
        : `${this.#head}\n[lambench: ${omitted} bytes of output omitted here; an invocation's log keeps its first ${HEAD_CHARS / 1024} KiB and last ${TAIL_CHARS / 1024} KiB, serve prints all of it]\n${this.#tail}`;
    this.#head = '';
    this.#tail = '';
    this.#omittedBytes = 0;
    return log;
  }
}

/** `at`, moved back one unit when it would split a surrogate pair. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return at > 0 && code >= 0xdc00 && code <= 0xdfff ? at - 1 : at;
}
