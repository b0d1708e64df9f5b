import { describe, expect, it } from 'vitest';
import { CsvLineSplitter } from './node/parse.js';

/** Runs csv-etl-node's parser over `text` cut into chunks of `size` bytes; returns the rows it reported. */
function parseInChunks(text: string, size: number): { rows: string[][]; sawHeader: boolean } {
  const rows: string[][] = [];
  const splitter = new CsvLineSplitter((fields) => rows.push(fields));
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size));
  return { rows, sawHeader: splitter.end() };
}

describe("csv-etl-node's streaming parser (functions/csv-etl/node/parse.ts)", () => {
  const text = 'Hospital,Diagnosis,Treatment,Recovery Time\r\nZürich,Flu,Rest,10\r\n\nA,Flu\nB,Cold,Cast,7';

  it.each([1, 2, 3, 7, 64 * 1024])(
    'gives the same rows whatever the chunk size (%i bytes): header skipped, CRLF, blank lines, a last line without newline',
    (size) => {
      // Chunks of 1–3 bytes split the CRLF pairs and the two bytes of "ü".
      expect(parseInChunks(text, size)).toEqual({
        rows: [
          ['Zürich', 'Flu', 'Rest', '10'],
          ['A', 'Flu'],
          ['B', 'Cold', 'Cast', '7'],
        ],
        sawHeader: true,
      });
    },
  );

  it('takes a header without a newline as the header, and reports an empty object', () => {
    expect(parseInChunks('Hospital,Diagnosis,Treatment,Recovery Time', 5)).toEqual({ rows: [], sawHeader: true });
    expect(parseInChunks('', 5)).toEqual({ rows: [], sawHeader: false });
  });
});
