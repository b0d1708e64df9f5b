import { describe, expect, it } from 'vitest';
import { arnRegion, regionConfig } from './region.js';
import { AwsTarget } from './target.js';

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
