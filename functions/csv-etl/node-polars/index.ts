import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pl from 'nodejs-polars';
import { type CsvEtlEvent, checkEvent, formatAverage, startEnsureTable, writeItems } from '../node/aggregate.js';

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

/** csv-etl with nodejs-polars: one column of lines, split and validated as expressions, then grouped. */
export const handler = async (event: CsvEtlEvent, context: { awsRequestId: string }) => {
  const { bucket, key, table } = checkEvent(event);
  const tableReady = startEnsureTable(table);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await object.Body?.transformToString()) ?? '';
  const newline = text.indexOf('\n');
  if (!text.trim()) throw new Error(`s3://${bucket}/${key} is empty: it needs at least the header line.`);
  const lines = text
    .slice(newline < 0 ? text.length : newline + 1)
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0);
  // Typed explicitly: with no lines (a header-only file) polars would infer a float column and refuse `.str`.
  const parts = pl
    .DataFrame({ line: pl.Series('line', lines, pl.String) })
    .withColumns(pl.col('line').str.split(',').alias('f'));
  const checked = parts.withColumns(
    pl.col('f').lst.lengths().eq(4).and(pl.col('line').str.contains('^[^,]*,[^,]*,[^,]*,-?[0-9]+$')).alias('ok'),
  );
  const rows = checked
    .filter(pl.col('ok'))
    .select(
      pl.col('f').lst.get(0).alias('Hospital'),
      pl.col('f').lst.get(1).alias('Diagnosis'),
      pl.col('f').lst.get(2).alias('Treatment'),
      pl.col('f').lst.get(3).cast(pl.Int64).alias('Recovery'),
    );
  const stats = rows
    .groupBy(['Hospital', 'Diagnosis'])
    .agg(pl.col('Recovery').sum().alias('sum'), pl.col('Recovery').count().alias('count'));
  const top = rows
    .groupBy(['Hospital', 'Diagnosis', 'Treatment'])
    .agg(pl.col('Recovery').count().alias('n'))
    .sort(['n', 'Treatment'], [true, false])
    .unique({ subset: ['Hospital', 'Diagnosis'], keep: 'first', maintainOrder: true });
  const merged = stats.join(top, { on: ['Hospital', 'Diagnosis'] });
  const pk = context.awsRequestId;
  const items = (merged.toRecords() as Array<Record<string, string | number | bigint>>).map((r) => ({
    PK: { S: pk },
    SK: { S: `#diagnosis#${r.Diagnosis}#hospital#${r.Hospital}` },
    AverageRecoveryTime: { N: formatAverage(Number(r.sum), Number(r.count)) },
    Diagnosis: { S: String(r.Diagnosis) },
    Hospital: { S: String(r.Hospital) },
    MostUsedTreatment: { S: String(r.Treatment) },
  }));
  await tableReady;
  const itemsWritten = await writeItems(table, items);
  return { rows: rows.height, skippedRows: checked.height - rows.height, itemsWritten, table, pk };
};
