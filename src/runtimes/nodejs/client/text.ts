import { isAscii } from 'node:buffer';

/**
 * UTF-8 ⇄ string for JSON bodies, with a fast path for ASCII, which nearly every event and response is: decoding
 * ASCII as latin1 and encoding a one-byte string as latin1 are plain copies, where UTF-8 transcodes character by
 * character (a 1 MiB body: about a millisecond each way). Same bytes, same strings.
 */
export function decodeText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

export function encodeText(text: string): Buffer {
  // A UTF-8 length equal to the string's length means every character is ASCII.
  return Buffer.byteLength(text, 'utf8') === text.length ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}
