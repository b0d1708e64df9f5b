import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Crc64Nvme, crc32c } from './checksums.js';
import { AwsChunkedDecoder } from './chunked.js';
import { s3Contract } from './s3.contract.js';
import { startS3Server } from './server.js';

let server: Awaited<ReturnType<typeof startS3Server>>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-s3-'));
  server = await startS3Server({ dataDir: dir });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

s3Contract('embedded', () => server.endpoint);

describe('aws-chunked and checksums', () => {
  it('decodes signed chunks and collects trailers', async () => {
    const decoder = new AwsChunkedDecoder();
    const out: Buffer[] = [];
    decoder.on('data', (c: Buffer) => out.push(c));
    const body =
      '5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
    // Feed byte by byte: framing must survive any split.
    for (const byte of Buffer.from(body)) decoder.write(Buffer.from([byte]));
    decoder.end();
    await new Promise((resolve) => decoder.on('end', resolve));
    expect(Buffer.concat(out).toString()).toBe('hello world');
    expect(decoder.trailers['x-amz-checksum-crc32']).toBe('DUoRhQ==');
  });

  it('computes CRC32C (Castagnoli) check value', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
  });

  it('computes the CRC-64/NVME check value, whole or in any split', () => {
    const input = Buffer.from('123456789');
    expect(new Crc64Nvme().update(input).value().toString('hex')).toBe('ae8b14860a799888');
    for (let cut = 0; cut <= input.length; cut++) {
      const split = new Crc64Nvme().update(input.subarray(0, cut)).update(input.subarray(cut));
      expect(split.value().toString('hex')).toBe('ae8b14860a799888');
    }
    expect(new Crc64Nvme().value().toString('hex')).toBe('0000000000000000');
  });
});
