import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbServer, startDynamoDb } from './index.js';

let server: DynamoDbServer;
let dir: string;
let client: DynamoDBClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-ddb-'));
  server = await startDynamoDb({ dataDir: dir });
  client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('embedded DynamoDB', () => {
  it('creates an ACTIVE table at once and takes batch writes of 25', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'results',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect((await client.send(new DescribeTableCommand({ TableName: 'results' }))).Table?.TableStatus).toBe('ACTIVE');
    const items = Array.from({ length: 25 }, (_, i) => ({
      PutRequest: { Item: { PK: { S: 'run' }, SK: { S: `#${String(i).padStart(2, '0')}` }, N: { N: String(i) } } },
    }));
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { results: items } }));
    expect(Object.keys(out.UnprocessedItems ?? {})).toHaveLength(0);
    const query = await client.send(
      new QueryCommand({
        TableName: 'results',
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'run' } },
      }),
    );
    expect(query.Count).toBe(25);
  });

  it('refuses a folder another server holds with a clear error, instead of crashing on the first request', async () => {
    await client.send(new DescribeTableCommand({ TableName: 'results' }));
    await expect(startDynamoDb({ dataDir: dir })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringMatching(/in use by another process/),
    });
  });
});
