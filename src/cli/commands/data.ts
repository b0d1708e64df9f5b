import path from 'node:path';
import { LambenchError } from '../../errors.js';
import { uploadCsv } from '../../experiments/csv-etl/upload.js';
import { startS3Server } from '../../services/s3/index.js';
import { integerOption, parse, requirePositional } from '../args.js';
import { externalEndpoint } from '../endpoints.js';

const USAGE =
  'lambench data csv-etl [--rows N] [--seed N] [--bucket B] [--key K] [--s3-endpoint URL] [--data-dir DIR] [--json]';

/** Generates an experiment's dataset into the embedded S3 (the one `lambench serve` uses) or any S3 endpoint. */
export async function dataCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      rows: { type: 'string' },
      seed: { type: 'string' },
      bucket: { type: 'string' },
      key: { type: 'string' },
      's3-endpoint': { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const dataset = requirePositional(positionals, 0, 'the dataset (csv-etl)', USAGE);
  if (dataset !== 'csv-etl')
    throw new LambenchError('INVALID_ARGUMENT', `Unknown dataset "${dataset}".`, 'Available: csv-etl.');
  const rows = integerOption(values.rows, 'rows') ?? 10_000;
  if (rows < 1) throw new LambenchError('INVALID_ARGUMENT', '--rows must be at least 1.');
  const bucket = values.bucket ?? 'lambench-data';
  const key = values.key ?? `csv-etl/${rows}.csv`;
  // --s3-endpoint or LAMBENCH_S3_ENDPOINT (as for `serve` and `invoke`); otherwise the embedded S3's folder.
  const external = externalEndpoint('s3', values['s3-endpoint']);
  const local = external
    ? undefined
    : await startS3Server({ dataDir: path.resolve(values['data-dir'] ?? path.join('.lambench', 'data'), 's3') });
  try {
    const endpoint = external ?? (local?.endpoint as string);
    const { bytes } = await uploadCsv(endpoint, { bucket, key, rows, seed: integerOption(values.seed, 'seed') ?? 42 });
    const summary = { bucket, key, rows, bytes };
    process.stdout.write(
      values.json ? `${JSON.stringify(summary)}\n` : `s3://${bucket}/${key}: ${rows} rows, ${bytes} bytes\n`,
    );
    return 0;
  } finally {
    await local?.close();
  }
}
