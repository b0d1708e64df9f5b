export const VISUALIZATION_BASE = 'https://lambda-power-tuning.show/';

function encode(values: readonly number[], kind: 'int16' | 'float32'): string {
  const size = kind === 'int16' ? 2 : 4;
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => {
    if (kind === 'int16') view.setInt16(i * 2, v, true);
    else view.setFloat32(i * 4, v, true);
  });
  return Buffer.from(view.buffer).toString('base64');
}

function decode(text: string, kind: 'int16' | 'float32'): number[] {
  const bytes = Buffer.from(text, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = kind === 'int16' ? 2 : 4;
  return Array.from({ length: bytes.length / size }, (_, i) =>
    kind === 'int16' ? view.getInt16(i * 2, true) : view.getFloat32(i * 4, true),
  );
}

export interface VisualizationPoint {
  memoryMB: number;
  durationMs: number;
  costUSD: number;
}

/**
 * AWS Lambda Power Tuning's own URL encoding (utils.buildVisualizationURL): base64 of little-endian Int16 memory
 * sizes, Float32 durations and Float32 costs, joined by ';' after '#', so results open in the UI users know.
 * We only print this URL; nothing is fetched.
 */
export function visualizationUrl(points: VisualizationPoint[], base = VISUALIZATION_BASE): string {
  const sorted = [...points].sort((a, b) => a.memoryMB - b.memoryMB);
  return `${base}#${[
    encode(
      sorted.map((p) => p.memoryMB),
      'int16',
    ),
    encode(
      sorted.map((p) => p.durationMs),
      'float32',
    ),
    encode(
      sorted.map((p) => p.costUSD),
      'float32',
    ),
  ].join(';')}`;
}

export function decodeVisualizationUrl(url: string): VisualizationPoint[] {
  const [sizes = '', durations = '', costs = ''] = (url.split('#')[1] ?? '').split(';');
  const m = decode(sizes, 'int16');
  const d = decode(durations, 'float32');
  const c = decode(costs, 'float32');
  return m.map((memoryMB, i) => ({ memoryMB, durationMs: d[i] ?? Number.NaN, costUSD: c[i] ?? Number.NaN }));
}
