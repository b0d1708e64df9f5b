import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LambenchError } from '../../errors.js';
import { translate } from './translate.js';

/** The region of a function ARN (`arn:aws:lambda:eu-west-1:123456789012:function:f[:qualifier]`), if `ref` is one. */
export function arnRegion(ref: string): string | undefined {
  const parts = ref.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

/**
 * The client's region for a function: its ARN's, else `--region`, else none (the SDK's chain: AWS_REGION, profile).
 * Without this an eu-west-1 ARN would tune the same-named function of the default region.
 */
export function regionConfig(functionRef: string | undefined, region: string | undefined): { region?: string } {
  const fromArn = functionRef ? arnRegion(functionRef) : undefined;
  if (fromArn && region && fromArn !== region) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `${functionRef} is in ${fromArn}, but --region is ${region}.`,
      'Drop --region (the ARN names the region), or pass the name instead of the ARN.',
    );
  }
  const chosen = fromArn ?? region;
  return chosen ? { region: chosen } : {};
}

/** Resolves the client's region now, so a missing one is a clear error (exit 2) before anything is built or sent. */
export async function confirmRegion(client: LambdaClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    throw translate(error, '');
  }
}
