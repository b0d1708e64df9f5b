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
