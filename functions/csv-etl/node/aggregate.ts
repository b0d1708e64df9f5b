import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type WriteRequest,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** Per (hospital, diagnosis): recovery-time sum and count, and how often each treatment was used. */
export class Aggregator {
  readonly groups = new Map<string, { sum: number; count: number; treatments: Map<string, number> }>();
  rows = 0;
  skippedRows = 0;

  /** One data row's fields; rows with a wrong field count or a non-integer recovery time are skipped and counted. */
  add(fields: string[]): void {
    const recovery = fields[3] ?? '';
    if (fields.length !== 4 || !/^-?\d+$/.test(recovery)) {
      this.skippedRows++;
      return;
    }
    this.rows++;
    const key = `${fields[0]}\u0000${fields[1]}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { sum: 0, count: 0, treatments: new Map() };
      this.groups.set(key, group);
    }
    group.sum += Number(recovery);
    group.count++;
    const treatment = fields[2] ?? '';
    group.treatments.set(treatment, (group.treatments.get(treatment) ?? 0) + 1);
  }

  /** Items exactly as functions/csv-etl/README.md defines them (6-decimal half-up mean; ties → smallest name). */
  items(pk: string): Array<Record<string, { S: string } | { N: string }>> {
    return [...this.groups.entries()].map(([key, g]) => {
      const [hospital = '', diagnosis = ''] = key.split('\u0000');
      let best = '';
      let bestCount = -1;
      for (const [name, count] of g.treatments) {
        if (count > bestCount || (count === bestCount && name < best)) {
          best = name;
          bestCount = count;
        }
      }
      return {
        PK: { S: pk },
        SK: { S: `#diagnosis#${diagnosis}#hospital#${hospital}` },
        AverageRecoveryTime: { N: formatAverage(g.sum, g.count) },
        Diagnosis: { S: diagnosis },
        Hospital: { S: hospital },
        MostUsedTreatment: { S: best },
      };
    });
  }
}

export function formatAverage(sum: number, count: number): string {
  const micro = (2n * BigInt(sum) * 1_000_000n + BigInt(count)) / (2n * BigInt(count));
  const fraction = (micro % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${micro / 1_000_000n}.${fraction}` : `${micro / 1_000_000n}`;
}

const dynamo = new DynamoDBClient({});

export async function ensureTable(table: string): Promise<void> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
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
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 60, minDelay: 1 }, { TableName: table });
}

/**
 * ensureTable started early so table creation overlaps the S3 read. The promise is marked handled at once: when the
 * read fails too (NoSuchKey, say) before it is awaited, the handler reports that error, rather than the runtime dying
 * of an unhandled rejection (Runtime.UnhandledPromiseRejection) that hides it. Awaiting it still throws its error.
 */
export function startEnsureTable(table: string): Promise<void> {
  const ready = ensureTable(table);
  ready.catch(() => {});
  return ready;
}

/** BatchWriteItem in batches of 25, retrying UnprocessedItems with exponential backoff. */
export async function writeItems(
  table: string,
  items: Array<Record<string, { S: string } | { N: string }>>,
): Promise<number> {
  for (let i = 0; i < items.length; i += 25) {
    let pending: WriteRequest[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB kept ${pending.length} items unprocessed after 8 retries`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt)));
      const out = await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = out.UnprocessedItems?.[table] ?? [];
    }
  }
  return items.length;
}

export interface CsvEtlEvent {
  bucket?: string;
  key?: string;
  table?: string;
}

export function checkEvent(event: CsvEtlEvent): { bucket: string; key: string; table: string } {
  if (!event.bucket || !event.key) throw new TypeError('The payload needs "bucket" and "key" of the CSV object in S3.');
  return { bucket: event.bucket, key: event.key, table: event.table ?? process.env.TABLE_NAME ?? 'csv-etl-results' };
}
