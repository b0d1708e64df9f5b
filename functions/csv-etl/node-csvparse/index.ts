import type { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import { Aggregator, type CsvEtlEvent, checkEvent, startEnsureTable, writeItems } from '../node/aggregate.js';

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

/** csv-etl the common way: the S3 body piped through csv-parse, one record array per row. */
export const handler = async (event: CsvEtlEvent, context: { awsRequestId: string }) => {
  const { bucket, key, table } = checkEvent(event);
  const tableReady = startEnsureTable(table);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const aggregator = new Aggregator();
  let header = true;
  const parser = (object.Body as Readable).pipe(parse({ relax_column_count: true, skip_empty_lines: true }));
  for await (const record of parser as AsyncIterable<string[]>) {
    if (header) header = false;
    else aggregator.add(record);
  }
  if (header) throw new Error(`s3://${bucket}/${key} is empty: it needs at least the header line.`);
  await tableReady;
  const itemsWritten = await writeItems(table, aggregator.items(context.awsRequestId));
  return { rows: aggregator.rows, skippedRows: aggregator.skippedRows, itemsWritten, table, pk: context.awsRequestId };
};
