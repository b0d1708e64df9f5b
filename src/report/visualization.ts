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

/** The three hash parts of one data set: sizes (Int16), durations and costs (Float32), sorted by memory. */
function dataSet(points: VisualizationPoint[]): string {
  const sorted = [...points].sort((a, b) => a.memoryMB - b.memoryMB);
  return [
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
  ].join(';');
}

function readDataSet(parts: readonly string[]): VisualizationPoint[] {
  const [sizes = '', durations = '', costs = ''] = parts;
  const m = decode(sizes, 'int16');
  const d = decode(durations, 'float32');
  const c = decode(costs, 'float32');
  return m.map((memoryMB, i) => ({ memoryMB, durationMs: d[i] ?? Number.NaN, costUSD: c[i] ?? Number.NaN }));
}

const hashParts = (url: string) => (url.split('#')[1] ?? '').split(';');

/**
 * AWS Lambda Power Tuning's own URL encoding (utils.buildVisualizationURL): base64 of little-endian Int16 memory
 * sizes, Float32 durations and Float32 costs, joined by ';' after '#', so results open in the UI users know.
 * We only print this URL; nothing is fetched.
 */
export function visualizationUrl(points: VisualizationPoint[], base = VISUALIZATION_BASE): string {
  return `${base}#${dataSet(points)}`;
}

/** The first (or only) data set of a visualization URL. */
export function decodeVisualizationUrl(url: string): VisualizationPoint[] {
  return readDataSet(hashParts(url).slice(0, 3));
}

export interface VisualizationSeries {
  legend: string;
  points: VisualizationPoint[];
}

/**
 * The UI's two-function comparison form: `sizes1;dur1;cost1;sizes2;dur2;cost2;legend1;legend2`, each data set
 * encoded as above and the legends URI-encoded (so a ';' in a legend cannot split the hash).
 */
export function compareVisualizationUrl(
  first: VisualizationSeries,
  second: VisualizationSeries,
  base = VISUALIZATION_BASE,
): string {
  const legends = [first.legend, second.legend].map(encodeURIComponent).join(';');
  return `${base}#${dataSet(first.points)};${dataSet(second.points)};${legends}`;
}

export function decodeCompareVisualizationUrl(url: string): [VisualizationSeries, VisualizationSeries] {
  const parts = hashParts(url);
  if (parts.length !== 8) {
    throw new Error(`Not a comparison visualization URL: its hash has ${parts.length} parts, not 8.`);
  }
  return [
    { legend: decodeURIComponent(parts[6] ?? ''), points: readDataSet(parts.slice(0, 3)) },
    { legend: decodeURIComponent(parts[7] ?? ''), points: readDataSet(parts.slice(3, 6)) },
  ];
}
