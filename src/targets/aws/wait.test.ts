import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { testFunctionVersion } from '../../engine/test-helpers/function-version.js';
import { deployFunction } from './deploy.js';
import { AwsTarget } from './target.js';
import { clientConfig, type FakeLambda, type FakeRequest, startFakeLambda } from './test-helpers/fake-lambda.js';

const CONFIG = '/2015-03-31/functions/fn/configuration';
let fake: FakeLambda | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const base: FunctionConfiguration = {
  FunctionName: 'fn',
  MemorySize: 128,
  Environment: { Variables: {} },
  State: 'Active',
  LastUpdateStatus: 'Successful',
  RevisionId: 'r1',
};

/**
 * A function whose reads after an update follow `reads` (then repeat the last one), as AWS's eventually consistent
 * GetFunctionConfiguration does; PublishVersion and aliases succeed unless `publish` says otherwise.
 */
async function scripted(reads: FunctionConfiguration[], publish?: (request: FakeRequest) => string | undefined) {
  let updated = false;
  let read = 0;
  fake = await startFakeLambda((request) => {
    if (request.path === CONFIG && request.method === 'GET') {
      if (!updated) return { body: base };
      return { body: reads[Math.min(read++, reads.length - 1)] };
    }
    if (request.path === CONFIG && request.method === 'PUT') {
      updated = true;
      return { body: { ...base, MemorySize: 256, RevisionId: 'r2', LastUpdateStatus: 'InProgress' } };
    }
    if (request.path.endsWith('/versions')) {
      const refused = publish?.(request);
      return refused
        ? { status: 412, errorType: refused }
        : { status: 201, body: { Version: '1', RevisionId: 'v1', Description: request.body.Description } };
    }
    if (request.path.endsWith('/aliases')) return { status: 201, body: { Name: request.body.Name } };
    return undefined;
  });
  return fake;
}

const getsAfterUpdate = (f: FakeLambda) => {
  const update = f.requests.findIndex((r) => r.method === 'PUT' && r.path === CONFIG);
  const publish = f.requests.findIndex((r) => r.path.endsWith('/versions'));
  return f.requests.slice(update, publish === -1 ? undefined : publish).filter((r) => r.method === 'GET').length;
};

describe('aws target: a configuration change is published only once AWS shows it applied', () => {
  it('waits out stale reads and InProgress, then publishes with the RevisionId it saw applied', async () => {
    const f = await scripted([
      base, // stale: the read predates the update
      { ...base, MemorySize: 256, RevisionId: 'r2', LastUpdateStatus: 'InProgress' },
      // AWS gives the function one more RevisionId when the update completes (aws/aws-sdk#377).
      { ...base, MemorySize: 256, RevisionId: 'r3', LastUpdateStatus: 'Successful' },
    ]);
    const target = new AwsTarget(clientConfig(f.endpoint));
    const configured = await target.configure('fn', 256);
    expect(configured.qualifier).toBe('lambench-256');
    expect(getsAfterUpdate(f)).toBe(3);
    expect(f.requests.find((r) => r.path.endsWith('/versions'))?.body.RevisionId).toBe('r3');
    target.client.destroy();
  });

  it('reports a change made by someone else before publishing (PublishVersion with the RevisionId)', async () => {
    // Someone changed the function after lambench saw r2 applied: $LATEST is r9 now. As on AWS, only a
    // PublishVersion that names a RevisionId can notice; one without publishes their configuration.
    const f = await scripted([{ ...base, MemorySize: 256, RevisionId: 'r2' }], (request) =>
      request.body.RevisionId !== undefined && request.body.RevisionId !== 'r9'
        ? 'PreconditionFailedException'
        : undefined,
    );
    const target = new AwsTarget(clientConfig(f.endpoint));
    await expect(target.configure('fn', 256)).rejects.toMatchObject({
      awsType: 'PreconditionFailedException',
      message: expect.stringMatching(/fn was changed by someone else/),
    });
    target.client.destroy();
  });

  it('gives up at its deadline naming the function, the status and the reason', { timeout: 15_000 }, async () => {
    const stuck = {
      ...base,
      MemorySize: 256,
      RevisionId: 'r2',
      LastUpdateStatus: 'InProgress' as const,
      LastUpdateStatusReason: 'Creating network interfaces',
    };
    const f = await scripted([stuck]);
    const target = new AwsTarget(clientConfig(f.endpoint), { updateTimeoutMs: 400 });
    await expect(target.configure('fn', 256)).rejects.toMatchObject({
      code: 'AWS',
      message: expect.stringMatching(
        /^fn: .*not applied within .*LastUpdateStatus InProgress.*Creating network interfaces/,
      ),
    });
    expect(f.requests.some((r) => r.path.endsWith('/versions'))).toBe(false);
    target.client.destroy();
  });

  it('stops waiting on Ctrl-C (INTERRUPTED)', { timeout: 15_000 }, async () => {
    const f = await scripted([{ ...base, MemorySize: 256, RevisionId: 'r2', LastUpdateStatus: 'InProgress' }]);
    const controller = new AbortController();
    const target = new AwsTarget(clientConfig(f.endpoint), { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(target.configure('fn', 256)).rejects.toMatchObject({ code: 'INTERRUPTED' });
    target.client.destroy();
  });
});

describe('deploy waits with a deadline', () => {
  it('reports a function that stays Pending instead of polling forever', { timeout: 15_000 }, async () => {
    fake = await startFakeLambda((request) => {
      if (request.method === 'GET' && request.path === CONFIG) {
        const created = fake?.requests.some((r) => r.method === 'POST');
        return created
          ? { body: { ...base, State: 'Pending', StateReason: 'Creating the function', RevisionId: 'r1' } }
          : { status: 404, errorType: 'ResourceNotFoundException' };
      }
      if (request.method === 'POST') return { status: 201, body: { ...base, State: 'Pending', RevisionId: 'r1' } };
      return undefined;
    });
    const fn = testFunctionVersion();
    const client = fake.client();
    await expect(
      deployFunction(client, fn, new Uint8Array([1]), { role: 'arn:aws:iam::1:role/r', timeoutMs: 400 }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^fn: .*State Pending.*Creating the function/) });
    client.destroy();
  });
});
