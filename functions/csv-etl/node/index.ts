import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Aggregator, type CsvEtlEvent, checkEvent, startEnsureTable, writeItems } from './aggregate.js';
import { CsvLineSplitter } from './parse.js';

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

/**
 * csv-etl with a hand-written streaming parser (parse.ts): rows are aggregated as the object's bytes arrive, so
 * memory stays flat whatever the object's size.
 */
export const handler = async (event: CsvEtlEvent, context: { awsRequestId: string }) => {
  const { bucket, key, table } = checkEvent(event);
  const tableReady = startEnsureTable(table);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const aggregator = new Aggregator();
  const splitter = new CsvLineSplitter((fields) => aggregator.add(fields));
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) splitter.push(chunk);
  if (!splitter.end()) throw new Error(`s3://${bucket}/${key} is empty: it needs at least the header line.`);
  await tableReady;
  const itemsWritten = await writeItems(table, aggregator.items(context.awsRequestId));
  return { rows: aggregator.rows, skippedRows: aggregator.skippedRows, itemsWritten, table, pk: context.awsRequestId };
};
