import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsTarget } from './target.js';
import { clientConfig, type FakeLambda, startFakeLambda } from './test-helpers/fake-lambda.js';

let fake: FakeLambda | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A function that takes changes at once; deletes and the restoring update are refused while `denied.on`. */
async function refusingCleanup(denied: { on: boolean }) {
  let current: FunctionConfiguration = {
    FunctionName: 'fn',
    MemorySize: 128,
    Environment: { Variables: {} },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    RevisionId: 'r0',
  };
  let updates = 0;
  const refuse = { status: 403, errorType: 'AccessDeniedException' };
  fake = await startFakeLambda((request) => {
    if (request.path === '/2015-03-31/functions/fn/configuration') {
      if (request.method === 'GET') return { body: current };
      if (updates++ > 0 && denied.on) return refuse;
      const body = request.body as { MemorySize: number; Environment: { Variables: Record<string, string> } };
      current = { ...current, MemorySize: body.MemorySize, Environment: body.Environment, RevisionId: `r${updates}` };
      return { body: current };
    }
    if (request.path.endsWith('/versions')) {
      return { status: 201, body: { Version: '7', Description: request.body.Description } };
    }
    if (request.method === 'POST' && request.path.endsWith('/aliases')) return { status: 201, body: {} };
    if (request.method === 'DELETE') return denied.on ? refuse : { status: 204 };
    return undefined;
  });
  return fake;
}

describe('aws target cleanup failures', () => {
  it('are collected into one error naming each leftover and the command that removes it; a second call retries', async () => {
    const denied = { on: true };
    const f = await refusingCleanup(denied);
    const target = new AwsTarget(clientConfig(f.endpoint));
    await target.configure('fn', 256);
    const failure = await target.cleanup().then(
      () => undefined,
      (error: unknown) => error as { code: string; message: string },
    );
    expect(failure?.code).toBe('AWS');
    const message = failure?.message ?? '';
    expect(message).toContain('alias lambench-256 of fn (AccessDeniedException');
    expect(message).toContain('aws lambda --region us-east-1 delete-alias --function-name fn --name lambench-256');
    expect(message).toContain('aws lambda --region us-east-1 delete-function --function-name fn --qualifier 7');
    expect(message).toContain(
      "aws lambda --region us-east-1 update-function-configuration --function-name fn --memory-size 128 --environment 'Variables={}'",
    );

    denied.on = false;
    const deletesBefore = f.requests.filter((r) => r.method === 'DELETE').length;
    await target.cleanup();
    expect(f.requests.filter((r) => r.method === 'DELETE').length).toBe(deletesBefore + 2);
    await target.cleanup();
    expect(f.requests.filter((r) => r.method === 'DELETE').length).toBe(deletesBefore + 2);
    target.client.destroy();
  });
});
