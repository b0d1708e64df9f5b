import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

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
export async function startDynamoDb(options: { dataDir?: string; port?: number } = {}): Promise<DynamoDbServer> {
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
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
