import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, paginateQuery } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { csvChunks } from '../../src/experiments/csv-etl/dataset.js';
import { uploadCsv } from '../../src/experiments/csv-etl/upload.js';
import { cargoVersion } from '../../src/runtimes/provided/cargo.js';
import { interpreterFor } from '../../src/runtimes/python/adapter.js';
import { startDynamoDb } from '../../src/services/dynamodb/index.js';
import { startS3Server } from '../../src/services/s3/index.js';

/**
 * The csv-etl functions as "Oxidizing Lambda Functions" published them: every (hospital, diagnosis) group of a
 * small file written once, with its mean and (one of) its most used treatment(s). They write what the originals
 * wrote (Python: AverageRecoveryTime as a string, polars' MostUsedTreatment as the list mode() returns), so the
 * check is by value, not by the byte-exact rules the other implementations share.
 */
const python = await interpreterFor('python3.12').catch(() => undefined);
const cargoAvailable = (await cargoVersion()) !== null;
const FUNCTIONS = [
  'node-as-published',
  ...(python ? ['python-polars-as-published', 'python-pandas-as-published'] : []),
  ...(cargoAvailable ? ['rust-as-published'] : []),
];
const ROWS = 3000;

let engine: Engine;
let dir: string;
let s3: Awaited<ReturnType<typeof startS3Server>>;
let dynamo: Awaited<ReturnType<typeof startDynamoDb>>;

/** Per group of the file: count, mean and the treatments with the highest count. */
function reference(csv: string) {
  const groups = new Map<string, { sum: number; count: number; treatments: Map<string, number> }>();
  for (const line of csv.split('\n').slice(1)) {
    if (!line) continue;
    const [hospital = '', diagnosis = '', treatment = '', days = ''] = line.split(',');
    const sk = `#diagnosis#${diagnosis}#hospital#${hospital}`;
    const group = groups.get(sk) ?? { sum: 0, count: 0, treatments: new Map<string, number>() };
    group.sum += Number(days);
    group.count++;
    group.treatments.set(treatment, (group.treatments.get(treatment) ?? 0) + 1);
    groups.set(sk, group);
  }
  return new Map(
    [...groups].map(([sk, g]) => {
      const top = Math.max(...g.treatments.values());
      const best = [...g.treatments].filter(([, n]) => n === top).map(([t]) => t);
      return [sk, { count: g.count, mean: g.sum / g.count, best }];
    }),
  );
}

async function itemsOf(pk: string) {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const items = [];
  for await (const page of paginateQuery(
    { client },
    {
      TableName: 'csv-etl-results',
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
    },
  ))
    items.push(...(page.Items ?? []));
  client.destroy();
  return items;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-as-published-'));
  s3 = await startS3Server({ dataDir: path.join(dir, 's3') });
  dynamo = await startDynamoDb();
  engine = await Engine.create({
    cacheDir: path.resolve('.lambench', 'cache'),
    endpoints: { s3: s3.endpoint, dynamodb: dynamo.endpoint },
  });
  for (const name of FUNCTIONS) await engine.functions.registerFolder(path.join(import.meta.dirname, name));
  await uploadCsv(s3.endpoint, { bucket: 'data', key: 'small.csv', rows: ROWS });
}, 1_200_000);

afterAll(async () => {
  await engine?.close();
  await s3?.close();
  await dynamo?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('csv-etl as published', () => {
  const expected = reference([...csvChunks(ROWS)].join(''));

  it.each(FUNCTIONS)(
    'csv-etl-%s writes one item per group of the file, with its mean and most used treatment',
    async (name) => {
      const result = await engine.invoke({
        functionName: `csv-etl-${name}`,
        payload: JSON.stringify({ bucket: 'data', key: 'small.csv' }),
        memoryMB: 1769,
      });
      const body = JSON.parse(result.payload.toString());
      expect(result.errorType, JSON.stringify(body)).toBeNull();
      expect(body).toMatchObject({ rows: ROWS, itemsWritten: expected.size, table: 'csv-etl-results' });
      const items = await itemsOf(body.pk);
      expect(items).toHaveLength(expected.size);
      for (const item of items) {
        const sk = item.SK?.S ?? '';
        const want = expected.get(sk);
        expect(want, sk).toBeDefined();
        const mean = Number(item.AverageRecoveryTime?.N ?? item.AverageRecoveryTime?.S);
        expect(mean, sk).toBeCloseTo(want?.mean ?? Number.NaN, 9);
        // polars' mode() is a list (every tied treatment); the others write one name.
        const treatments = item.MostUsedTreatment?.L?.map((v) => v.S) ?? [item.MostUsedTreatment?.S];
        for (const t of treatments) expect(want?.best, sk).toContain(t);
        expect(item.Hospital?.S && sk.endsWith(`#hospital#${item.Hospital.S}`)).toBe(true);
      }
    },
    600_000,
  );
});
