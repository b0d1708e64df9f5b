import { createHash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'];

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): not in node:zlib, so a table implementation. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = (CRC32C_TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * CRC-64/NVME (poly 0xad93d23594c93659, reflected: 0x9a6c9329ac4bc9b5; init and xorout all ones), the SDK's newest
 * default. JavaScript has no 64-bit integer arithmetic short of BigInt (far too slow per byte), so the table and the
 * register are kept as high and low 32-bit halves.
 */
const CRC64_TABLE = (() => {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ 0x9a6c9329) >>> 0;
        l = (l ^ 0xac4bc9b5) >>> 0;
      }
    }
    hi[i] = h;
    lo[i] = l;
  }
  return { hi, lo };
})();

/** An incremental CRC-64/NVME: `update` as often as needed, `value` the final 8 bytes (big-endian, as S3 sends). */
export class Crc64Nvme {
  #hi = 0xffffffff;
  #lo = 0xffffffff;

  update(data: Uint8Array): this {
    const { hi: tableHi, lo: tableLo } = CRC64_TABLE;
    let h = this.#hi;
    let l = this.#lo;
    for (let i = 0; i < data.length; i++) {
      const index = (l ^ (data[i] ?? 0)) & 0xff;
      l = (((l >>> 8) | (h << 24)) ^ (tableLo[index] ?? 0)) >>> 0;
      h = ((h >>> 8) ^ (tableHi[index] ?? 0)) >>> 0;
    }
    this.#hi = h;
    this.#lo = l;
    return this;
  }

  value(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.#hi >>> 0, 0);
    out.writeUInt32BE(~this.#lo >>> 0, 4);
    return out;
  }
}

const crcBase64 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
};

/** An incremental checksum whose result is what S3 returns in x-amz-checksum-<algorithm> (base64). */
export interface Checksum {
  update(chunk: Uint8Array): void;
  digest(): string;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  if (algorithm === 'crc32' || algorithm === 'crc32c') {
    let value = 0;
    return {
      update: (chunk) => {
        value = algorithm === 'crc32' ? zlib.crc32(chunk, value) : crc32c(chunk, value);
      },
      digest: () => crcBase64(value),
    };
  }
  if (algorithm === 'crc64nvme') {
    const crc = new Crc64Nvme();
    return { update: (chunk) => void crc.update(chunk), digest: () => crc.value().toString('base64') };
  }
  const hash: Hash = createHash(algorithm);
  return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest('base64') };
}
