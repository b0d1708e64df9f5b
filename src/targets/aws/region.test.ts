import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { arnRegion, confirmRegion, regionConfig } from './region.js';
import { AwsTarget } from './target.js';

/** Variables the SDK reads a region or an endpoint from; each test here sets what it needs and restores the rest. */
const SDK_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_LAMBDA',
];
const saved = Object.fromEntries(SDK_VARIABLES.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** No region anywhere: not in the environment, no config file, and no instance metadata (never asked). */
function withoutRegion(): void {
  for (const name of SDK_VARIABLES) delete process.env[name];
  process.env.AWS_CONFIG_FILE = '/nonexistent/lambench/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/lambench/credentials';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

describe('the region of an aws target', () => {
  const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:f:live';

  it('comes from the ARN, else from --region, else from the SDK chain', async () => {
    expect(arnRegion(arn)).toBe('eu-west-1');
    expect(arnRegion('f')).toBeUndefined();
    expect(regionConfig(arn, undefined)).toEqual({ region: 'eu-west-1' });
    expect(regionConfig(arn, 'eu-west-1')).toEqual({ region: 'eu-west-1' });
    expect(regionConfig('f', 'ap-south-1')).toEqual({ region: 'ap-south-1' });
    expect(regionConfig('f', undefined)).toEqual({});
    const target = new AwsTarget({
      ...regionConfig(arn, undefined),
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    expect((await target.environment()).region).toBe('eu-west-1');
    target.client.destroy();
  });

  it('refuses an ARN whose region contradicts --region', () => {
    expect(() => regionConfig(arn, 'us-east-1')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/eu-west-1.*us-east-1/) }),
    );
  });
});

describe('region errors are bad input (exit 2), not stack traces', () => {
  it('no region configured', async () => {
    withoutRegion();
    for (const region of [undefined, '']) {
      if (region !== undefined) process.env.AWS_REGION = region;
      const client = new LambdaClient({});
      await expect(confirmRegion(client)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: 'No AWS region is configured.',
        hint: expect.stringMatching(/AWS_REGION.*--region/),
      });
      client.destroy();
    }
  });

  it('a region whose Lambda endpoint does not resolve', async () => {
    withoutRegion();
    const hosts: string[] = [];
    // Every name fails here, as an unknown region's does: nothing leaves this machine.
    const lookup = ((hostname: string, _options: unknown, callback: (error: Error) => void) => {
      hosts.push(hostname);
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname,
      });
      process.nextTick(callback, error);
    }) as unknown as LookupFunction;
    const target = new AwsTarget({
      region: 'xx-fake-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
      requestHandler: { httpsAgent: new https.Agent({ lookup }) },
    });
    await expect(target.describe('f')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(
        /^Region xx-fake-1 is not reachable: lambda\.xx-fake-1\.amazonaws\.com does not resolve/,
      ),
    });
    expect(hosts).toEqual(['lambda.xx-fake-1.amazonaws.com']);
    target.client.destroy();
  });
});
