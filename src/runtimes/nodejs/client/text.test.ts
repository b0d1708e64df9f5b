import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from './text.js';

describe('JSON text fast paths', () => {
  // ASCII, latin1-range (one-byte strings that are not ASCII), BMP and astral characters, invalid UTF-8.
  const samples = ['{"a":1}', '{"é":"café"}', '{"k":"ÿ\u0080"}', '{"中":"文"}', '{"e":"😀"}', ''];

  it('encodes exactly as Buffer.from(text, "utf8")', () => {
    for (const text of samples) expect(encodeText(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('decodes exactly as buffer.toString("utf8"), invalid sequences included', () => {
    const buffers = [...samples.map((s) => Buffer.from(s, 'utf8')), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])];
    for (const bytes of buffers) expect(decodeText(bytes)).toBe(bytes.toString('utf8'));
  });
});
