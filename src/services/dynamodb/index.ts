import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { LambenchError } from '../../errors.js';
import type { AuthOptions } from '../auth/guard.js';
import { guardDynalite } from './guard.js';

export interface DynamoDbServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

type Dynalite = (options: Record<string, unknown>) => Server;

/**
 * DynamoDB for functions: dynalite (in-process, LevelDB) with table operations completing at once, so CreateTable
 * is ACTIVE within milliseconds. `dataDir` persists tables; without it they live in memory. Any other endpoint
 * (DynamoDB Local, real AWS) can replace it: the engine only hands functions an AWS_ENDPOINT_URL_DYNAMODB.
 */
export async function startDynamoDb(
  options: { dataDir?: string; port?: number; auth?: AuthOptions } = {},
): Promise<DynamoDbServer> {
  const require = createRequire(import.meta.url);
  const dynalite = require('dynalite') as Dynalite;
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    await assertNotLocked(require, options.dataDir);
  }
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  guardDynalite(server, options.auth ?? {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

type LevelModule = { Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> } };

/**
 * LevelDB allows one process per folder. dynalite opens it lazily and, when another process (a running
 * `lambench serve`) holds it, throws from a stream callback on the first request, killing this process; so the
 * folder is tried here first and a clear error raised instead.
 */
async function assertNotLocked(require: NodeJS.Require, dataDir: string): Promise<void> {
  const { Level } = createRequire(require.resolve('dynalite'))('level') as LevelModule;
  const db = new Level(dataDir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code !== 'LEVEL_LOCKED') throw error;
    throw new LambenchError(
      'SERVICE_UNAVAILABLE',
      `The embedded DynamoDB's folder ${dataDir} is in use by another process (a running \`lambench serve\`?).`,
      "Point this command at that server's endpoints (--s3-endpoint URL --dynamodb-endpoint URL), or use another --data-dir.",
    );
  }
  await db.close();
}
