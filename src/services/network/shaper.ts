/**
 * One environment's bandwidth, shared by all its connections and both directions: a token bucket in its virtual-time
 * form (GCRA). `reserve(bytes, readyAt)` books the bytes on the environment's link and answers when they may be
 * sent: never before `readyAt`, and never before the link has carried what was booked earlier, less the burst the
 * bucket holds (`burstBytes`). Concurrent senders therefore queue behind each other's bookings (first come, first
 * served) and the total never exceeds `bytesPerSecond`.
 *
 * A sender that was held back passes the time it was told (not the time its timer really fired) as the next chunk's
 * `readyAt`: a late timer or a busy event loop is made up for, instead of slowing the transfer down, while an idle
 * sender (its next chunk came later) gets no credit beyond the burst.
 */
export class TokenBucket {
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  /** When the link has carried everything booked so far (ms, performance.now()'s clock). */
  #busyUntil = Number.NEGATIVE_INFINITY;
  #bytes = 0;

  constructor(bytesPerSecond: number, burstBytes: number) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`bandwidth must be positive, got ${bytesPerSecond}`);
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = Math.max(0, burstBytes);
  }

  /** Books `bytes` ready at `readyAt`; returns when they may go (≥ readyAt). */
  reserve(bytes: number, readyAt: number): number {
    const perMs = this.bytesPerSecond / 1000;
    const burstMs = this.burstBytes / perMs;
    const sendAt = Math.max(readyAt, this.#busyUntil - burstMs);
    this.#busyUntil = Math.max(this.#busyUntil, sendAt) + bytes / perMs;
    this.#bytes += bytes;
    return sendAt;
  }

  /** Bytes booked, both directions. */
  get bytes(): number {
    return this.#bytes;
  }
}
