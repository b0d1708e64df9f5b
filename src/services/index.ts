import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { startLambdaServer } from '../engine/http/server.js';
import type { AuthOptions } from './auth/guard.js';
import type { Credentials } from './auth/sigv4.js';
import { startDynamoDb } from './dynamodb/index.js';
import { startS3Server } from './s3/index.js';

export interface LocalServices {
  endpoints: { lambda: string; s3: string; dynamodb: string };
  close(): Promise<void>;
}

export interface LocalServicesOptions {
  dataDir: string;
  lambdaPort?: number;
  /** Use these instead of the embedded services (e.g. moto, MinIO or real AWS). */
  external?: { s3?: string; dynamodb?: string };
  /** Verify SigV4 signatures against these credentials (default: any signed request is accepted). */
  credentials?: Credentials;
}

/**
 * Starts the embedded S3 and DynamoDB and the Lambda API on 127.0.0.1, and points the engine's functions at
 * them (AWS_ENDPOINT_URL_S3 / _DYNAMODB / _LAMBDA). With a network model (EngineOptions.network) each environment
 * gets its own shaped relays in front of these (or of the external endpoints), see src/services/network.
 */
export async function startLocalServices(engine: Engine, options: LocalServicesOptions): Promise<LocalServices> {
  const started: Array<{ close(): Promise<void> }> = [];
  const closeAll = async () => {
    for (const service of started.reverse()) await service.close().catch(() => {});
  };
  try {
    const auth: AuthOptions = options.credentials ? { credentials: [options.credentials] } : {};
    const s3 = options.external?.s3 ?? (await startS3(path.join(options.dataDir, 's3'), started, auth));
    const dynamodb =
      options.external?.dynamodb ?? (await startDynamo(path.join(options.dataDir, 'dynamodb'), started, auth));
    const lambda = await startLambdaServer(engine, {
      port: options.lambdaPort ?? 0,
      dataDir: path.join(options.dataDir, 'lambda'),
      auth,
    });
    started.push(lambda);
    const endpoints = { lambda: lambda.endpoint, s3, dynamodb };
    engine.endpoints = { ...endpoints, ...(options.credentials ? { credentials: options.credentials } : {}) };
    return { endpoints, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function startS3(
  dataDir: string,
  started: Array<{ close(): Promise<void> }>,
  auth: AuthOptions,
): Promise<string> {
  const server = await startS3Server({ dataDir, auth });
  started.push(server);
  return server.endpoint;
}

async function startDynamo(
  dataDir: string,
  started: Array<{ close(): Promise<void> }>,
  auth: AuthOptions,
): Promise<string> {
  const server = await startDynamoDb({ dataDir, auth });
  started.push(server);
  return server.endpoint;
}
