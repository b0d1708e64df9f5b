/**
 * Images arrive as binary PPM (P6, 8-bit RGB): a real image format that needs no codec library, so the work
 * measured is inference, not decoding.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major, interleaved RGB. */
  pixels: Uint8Array;
}

/** Parses a binary PPM (P6) with maxval 255; header fields may be separated by any whitespace and # comments. */
export function decodePpm(bytes: Uint8Array, name: string): RgbImage {
  let offset = 0;
  const token = (): string => {
    for (;;) {
      while (offset < bytes.length && /\s/.test(String.fromCharCode(bytes[offset] as number))) offset++;
      if (bytes[offset] !== 0x23) break;
      while (offset < bytes.length && bytes[offset] !== 0x0a) offset++;
    }
    const start = offset;
    while (offset < bytes.length && !/\s/.test(String.fromCharCode(bytes[offset] as number))) offset++;
    return String.fromCharCode(...bytes.subarray(start, offset));
  };
  const magic = token();
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  offset++; // the single whitespace byte that ends the header
  if (magic !== 'P6' || !(width > 0) || !(height > 0) || maxval !== 255) {
    throw new Error(
      `${name} is not an 8-bit binary PPM (P6, maxval 255): got "${magic} ${width} ${height} ${maxval}".`,
    );
  }
  const pixels = bytes.subarray(offset, offset + width * height * 3);
  if (pixels.length !== width * height * 3) {
    throw new Error(`${name} is truncated: ${pixels.length} of ${width * height * 3} pixel bytes.`);
  }
  return { width, height, pixels };
}

/** Interleaved RGB bytes → planar [3][H][W] floats normalised as (v / 255 − 0.5) / 0.25, the model's input. */
export function toTensorData(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = ((image.pixels[i * 3 + c] as number) / 255 - 0.5) / 0.25;
  }
  return out;
}
