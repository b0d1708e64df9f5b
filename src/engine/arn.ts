import { AwsError } from '../errors.js';

export const LOCAL_ACCOUNT_ID = '000000000000';

export function functionArn(region: string, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
  return qualifier ? `${base}:${qualifier}` : base;
}

/**
 * Accepts what AWS accepts as FunctionName: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, with or without a qualifier.
 */
export function parseFunctionRef(ref: string): { name: string; qualifier?: string } {
  const parts = ref.split(':');
  if (parts[0] === 'arn') {
    const name = parts[6] ?? '';
    const qualifier = parts[7];
    return qualifier ? { name, qualifier } : { name };
  }
  if (parts.length >= 3 && parts[1] === 'function') {
    const qualifier = parts[3];
    return qualifier ? { name: parts[2] ?? '', qualifier } : { name: parts[2] ?? '' };
  }
  if (parts.length === 2) return { name: parts[0] ?? '', qualifier: parts[1] ?? '' };
  return { name: ref };
}

/**
 * An ARN names its region and account; the local engine is one region of one account. AWS answers a function of
 * another region with ResourceNotFoundException ("Functions from 'eu-west-1' are not reachable in this region") and
 * one of another account, without a resource policy allowing the caller, with AccessDeniedException.
 */
export function checkArnScope(ref: string, region: string, action = 'InvokeFunction'): void {
  const parts = ref.split(':');
  const [arnRegion, account] =
    parts[0] === 'arn' ? [parts[3], parts[4]] : parts.length >= 3 && parts[1] === 'function' ? [region, parts[0]] : [];
  if (arnRegion !== undefined && arnRegion !== region) {
    throw new AwsError(
      'ResourceNotFoundException',
      404,
      `Functions from '${arnRegion}' are not reachable in this region ('${region}')`,
      undefined,
      `The local engine is ${region}: use the function's name, or an ARN of ${region} and account ${LOCAL_ACCOUNT_ID}.`,
    );
  }
  if (account !== undefined && account !== LOCAL_ACCOUNT_ID) {
    throw new AwsError(
      'AccessDeniedException',
      403,
      `User: arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/lambench is not authorized to perform: lambda:${action} on resource: ${ref} because no resource-based policy allows the lambda:${action} action`,
      undefined,
      `The local engine's account is ${LOCAL_ACCOUNT_ID}.`,
    );
  }
}
