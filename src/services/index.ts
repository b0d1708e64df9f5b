import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { startLambdaServer } from '../engine/http/server.js';
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
}

/**
 * Starts the embedded S3 and DynamoDB and the Lambda API on 127.0.0.1, and points the engine's functions at
 * them (AWS_ENDPOINT_URL_S3 / _DYNAMODB / _LAMBDA).
 */
export async function startLocalServices(engine: Engine, options: LocalServicesOptions): Promise<LocalServices> {
  const started: Array<{ close(): Promise<void> }> = [];
  const closeAll = async () => {
    for (const service of started.reverse()) await service.close().catch(() => {});
  };
  try {
    let s3 = options.external?.s3;
    if (!s3) {
      const server = await startS3Server({ dataDir: path.join(options.dataDir, 's3') });
      started.push(server);
      s3 = server.endpoint;
    }
    let dynamodb = options.external?.dynamodb;
    if (!dynamodb) {
      const server = await startDynamoDb({ dataDir: path.join(options.dataDir, 'dynamodb') });
      started.push(server);
      dynamodb = server.endpoint;
    }
    const lambda = await startLambdaServer(engine, {
      port: options.lambdaPort ?? 0,
      dataDir: path.join(options.dataDir, 'lambda'),
    });
    started.push(lambda);
    engine.endpoints = { s3, dynamodb, lambda: lambda.endpoint };
    return { endpoints: { lambda: lambda.endpoint, s3, dynamodb }, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
