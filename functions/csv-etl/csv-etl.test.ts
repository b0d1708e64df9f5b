import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, paginateQuery } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { aggregate, csvChunks } from '../../src/experiments/csv-etl/dataset.js';
import { s3Client, uploadCsv } from '../../src/experiments/csv-etl/upload.js';
import { cargoVersion } from '../../src/runtimes/provided/cargo.js';
import { pythonRuntime } from '../../src/runtimes/python/adapter.js';
import { startDynamoDb } from '../../src/services/dynamodb/index.js';
import { startS3Server } from '../../src/services/s3/index.js';

const pythonAvailable = (await pythonRuntime.detect()).available;
const cargoAvailable = (await cargoVersion()) !== null;

/** Every csv-etl implementation registered on this host (Python and Rust ones join when their toolchains exist). */
const IMPLEMENTATIONS = [
  'csv-etl-node',
  'csv-etl-node-csvparse',
  'csv-etl-node-polars',
  ...(pythonAvailable ? ['csv-etl-python-pandas', 'csv-etl-python-polars'] : []),
  ...(cargoAvailable ? ['csv-etl-rust'] : []),
];

let engine: Engine;
let dir: string;
let s3: Awaited<ReturnType<typeof startS3Server>>;
let dynamo: Awaited<ReturnType<typeof startDynamoDb>>;

async function itemsOf(pk: string, table = 'csv-etl-results') {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const items: Array<Record<string, string>> = [];
  for await (const page of paginateQuery(
    { client },
    { TableName: table, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } },
  )) {
    for (const item of page.Items ?? []) {
      items.push({
        SK: item.SK?.S ?? '',
        AverageRecoveryTime: item.AverageRecoveryTime?.N ?? '',
        Hospital: item.Hospital?.S ?? '',
        Diagnosis: item.Diagnosis?.S ?? '',
        MostUsedTreatment: item.MostUsedTreatment?.S ?? '',
      });
    }
  }
  client.destroy();
  return items.sort((a, b) => (a.SK < b.SK ? -1 : 1));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-csv-'));
  s3 = await startS3Server({ dataDir: path.join(dir, 's3') });
  dynamo = await startDynamoDb();
  engine = await Engine.create({
    // The project's cache: pip installs and the cargo target dir are shared with every other run.
    cacheDir: path.resolve('.lambench', 'cache'),
    endpoints: { s3: s3.endpoint, dynamodb: dynamo.endpoint },
  });
  for (const name of [
    'node',
    'node-csvparse',
    'node-polars',
    ...(pythonAvailable ? ['python-pandas', 'python-polars'] : []),
    ...(cargoAvailable ? ['rust'] : []),
  ])
    await engine.functions.registerFolder(path.join(import.meta.dirname, name));
  await uploadCsv(s3.endpoint, { bucket: 'data', key: '10k.csv', rows: 10_000 });
  // pip installs (pandas, polars, boto3) and the cargo build happen once and are cached.
  for (const name of IMPLEMENTATIONS)
    await engine.invoke({ functionName: name, payload: '{"bucket":"data","key":"none"}' });
  const client = s3Client(s3.endpoint);
  await client.send(
    new PutObjectCommand({
      Bucket: 'data',
      Key: 'bad.csv',
      Body: 'Hospital,Diagnosis,Treatment,Recovery Time\nA,Flu,Rest,10\nA,Flu,Rest\nA,Flu,Rest,ten\n\nA,Flu,Cast,20\nB,Cold,Rest,7\n',
    }),
  );
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'empty.csv', Body: '' }));
  const header = 'Hospital,Diagnosis,Treatment,Recovery Time';
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'header.csv', Body: `${header}\n` }));
  await client.send(new PutObjectCommand({ Bucket: 'data', Key: 'header-no-newline.csv', Body: header }));
  await client.send(
    new PutObjectCommand({ Bucket: 'data', Key: 'no-full-row.csv', Body: `${header}\nA,Flu\nB,Cold,Rest\n` }),
  );
  client.destroy();
}, 1_200_000);

afterAll(async () => {
  await engine?.close();
  await s3?.close();
  await dynamo?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('csv-etl workloads', () => {
  const reference = aggregate([...csvChunks(10_000)].join(''));
  const expected = reference.groups
    .map((g) => ({
      SK: `#diagnosis#${g.diagnosis}#hospital#${g.hospital}`,
      AverageRecoveryTime: g.averageRecoveryTime,
      Hospital: g.hospital,
      Diagnosis: g.diagnosis,
      MostUsedTreatment: g.mostUsedTreatment,
    }))
    .sort((a, b) => (a.SK < b.SK ? -1 : 1));

  it.each(IMPLEMENTATIONS)('%s writes exactly the reference 400 items for 10k rows', async (name) => {
    const result = await engine.invoke({
      functionName: name,
      payload: JSON.stringify({ bucket: 'data', key: '10k.csv' }),
      memoryMB: 1769,
    });
    const body = JSON.parse(result.payload.toString());
    expect(result.errorType, JSON.stringify(body)).toBeNull();
    expect(body).toMatchObject({ rows: 10_000, skippedRows: 0, itemsWritten: 400, table: 'csv-etl-results' });
    expect(expected).toHaveLength(400);
    expect(await itemsOf(body.pk)).toEqual(expected);
  });

  it.each(IMPLEMENTATIONS)(
    '%s skips and counts malformed rows, and rejects empty input or a missing key',
    async (name) => {
      const bad = await engine.invoke({
        functionName: name,
        payload: JSON.stringify({ bucket: 'data', key: 'bad.csv' }),
      });
      const body = JSON.parse(bad.payload.toString());
      expect(body).toMatchObject({ rows: 3, skippedRows: 2, itemsWritten: 2 });
      const items = await itemsOf(body.pk);
      expect(items.find((i) => i.Hospital === 'A')).toMatchObject({
        AverageRecoveryTime: '15',
        MostUsedTreatment: 'Cast',
      });
      const empty = await engine.invoke({
        functionName: name,
        payload: JSON.stringify({ bucket: 'data', key: 'empty.csv' }),
      });
      expect(empty.functionError).toBe('Unhandled');
      const missing = await engine.invoke({
        functionName: name,
        payload: JSON.stringify({ bucket: 'data', key: 'nope.csv' }),
      });
      expect(missing.errorType).toBe('NoSuchKey');
    },
  );

  it.each(IMPLEMENTATIONS)(
    '%s reports 0 rows for a header-only file (with or without its newline) or one without a 4-field row',
    async (name) => {
      for (const [key, skippedRows] of [
        ['header.csv', 0],
        ['header-no-newline.csv', 0],
        ['no-full-row.csv', 2],
      ] as const) {
        const result = await engine.invoke({ functionName: name, payload: JSON.stringify({ bucket: 'data', key }) });
        const body = JSON.parse(result.payload.toString());
        expect(result.errorType, `${key}: ${JSON.stringify(body)}`).toBeNull();
        expect(body, key).toMatchObject({ rows: 0, skippedRows, itemsWritten: 0 });
      }
    },
  );
});

/** A port nothing listens on: connections to it are refused at once. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('csv-etl Node implementations when S3 and DynamoDB both fail', () => {
  const NODE = ['csv-etl-node', 'csv-etl-node-csvparse', 'csv-etl-node-polars'];
  let broken: Engine;
  let slowS3: Awaited<ReturnType<typeof startS3Server>>;

  beforeAll(async () => {
    // S3 answers after 3 s, by which time CreateTable against a closed port has failed: the table error comes first.
    slowS3 = await startS3Server({ dataDir: path.join(dir, 'slow-s3'), latency: { firstByteMs: 3000 } });
    broken = await Engine.create({
      cacheDir: path.resolve('.lambench', 'cache'),
      endpoints: { s3: slowS3.endpoint, dynamodb: `http://127.0.0.1:${await closedPort()}` },
    });
    for (const name of ['node', 'node-csvparse', 'node-polars'])
      await broken.functions.registerFolder(path.join(import.meta.dirname, name));
  });

  afterAll(async () => {
    await broken?.close();
    await slowS3?.close();
  });

  it.each(NODE)(
    '%s reports the S3 error (NoSuchBucket), not an unhandled rejection, and keeps running',
    async (name) => {
      const payload = JSON.stringify({ bucket: 'no-such-bucket', key: 'data.csv' });
      const first = await broken.invoke({ functionName: name, payload });
      expect(first.errorType, first.payload.toString()).toBe('NoSuchBucket');
      // The runtime process survived: the next invocation is warm.
      const second = await broken.invoke({ functionName: name, payload });
      expect(second.errorType).toBe('NoSuchBucket');
      expect(second.cold).toBe(false);
    },
  );
});

describe('csv-etl with an object larger than the function can hold', () => {
  // 400k rows ≈ 17 MB: pandas holds the body, one Python string per line and four per field (several times the
  // file); at 128 MB that is more than the function has. The streaming parser holds one chunk at a time.
  const rows = 400_000;
  const key = `oversized/${rows}.csv`;
  let constrained = false;

  beforeAll(async () => {
    constrained = engine.isolation !== 'none';
    if (constrained) await uploadCsv(s3.endpoint, { bucket: 'data', key, rows });
  }, 120_000);

  it.skipIf(!pythonAvailable)(
    'csv-etl-python-pandas (reads the whole object) fails with Runtime.OutOfMemory at 128 MB',
    async (ctx) => {
      if (!constrained) ctx.skip();
      const result = await engine.invoke({
        functionName: 'csv-etl-python-pandas',
        payload: JSON.stringify({ bucket: 'data', key }),
        memoryMB: 128,
      });
      expect(result.errorType, result.payload.toString()).toBe('Runtime.OutOfMemory');
    },
    180_000,
  );

  it('csv-etl-node (streams the object) processes it at 128 MB', async (ctx) => {
    if (!constrained) ctx.skip();
    const result = await engine.invoke({
      functionName: 'csv-etl-node',
      payload: JSON.stringify({ bucket: 'data', key }),
      memoryMB: 128,
    });
    const body = JSON.parse(result.payload.toString());
    expect(result.errorType, JSON.stringify(body)).toBeNull();
    expect(body).toMatchObject({ rows, skippedRows: 0, itemsWritten: 400 });
    expect(result.report.maxMemoryUsedMB).toBeLessThanOrEqual(128);
  }, 180_000);
});
