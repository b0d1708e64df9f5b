import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Aggregator, type CsvEtlEvent, checkEvent, startEnsureTable, writeItems } from './aggregate.js';

const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

/**
 * csv-etl with a hand-written streaming parser: bytes are split on newlines as they arrive (a partial last line
 * carries over), so memory stays flat whatever the object's size.
 */
export const handler = async (event: CsvEtlEvent, context: { awsRequestId: string }) => {
  const { bucket, key, table } = checkEvent(event);
  const tableReady = startEnsureTable(table);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const aggregator = new Aggregator();
  let carry = '';
  let header = true;
  const decoder = new TextDecoder();
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
    const text = carry + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
      if (header) header = false;
      else if (line) aggregator.add(line.split(','));
    }
    carry = text.slice(start);
  }
  // A last line without a newline: a row, or the header of a header-only file (0 rows, as everywhere else).
  carry += decoder.decode();
  if (carry.endsWith('\r')) carry = carry.slice(0, -1);
  if (carry && header) header = false;
  else if (carry) aggregator.add(carry.split(','));
  if (header) throw new Error(`s3://${bucket}/${key} is empty: it needs at least the header line.`);
  await tableReady;
  const itemsWritten = await writeItems(table, aggregator.items(context.awsRequestId));
  return { rows: aggregator.rows, skippedRows: aggregator.skippedRows, itemsWritten, table, pk: context.awsRequestId };
};
