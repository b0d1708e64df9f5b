import { describe, expect, it } from 'vitest';
import { awsEnvironment } from './aws-env.js';
import { testFunctionVersion } from './test-helpers/function-version.js';
import type { FunctionVersion } from './types.js';

const fn = (runtime: string): FunctionVersion =>
  testFunctionVersion({ name: 'f', runtime, codeDir: '/tmp/f', codeSha256: 'x', codeSize: 1, lastModified: 'now' });

describe('awsEnvironment', () => {
  it('names managed runtimes in AWS_EXECUTION_ENV', () => {
    expect(awsEnvironment(fn('nodejs20.x'), 128, 'us-east-1', '/task', {}).AWS_EXECUTION_ENV).toBe(
      'AWS_Lambda_nodejs20.x',
    );
    expect(awsEnvironment(fn('python3.12'), 128, 'us-east-1', '/task', {}).AWS_EXECUTION_ENV).toBe(
      'AWS_Lambda_python3.12',
    );
  });

  it('leaves AWS_EXECUTION_ENV unset for OS-only runtimes, as AWS does', () => {
    for (const runtime of ['provided.al2023', 'provided.al2', 'provided']) {
      expect(awsEnvironment(fn(runtime), 128, 'us-east-1', '/task', {})).not.toHaveProperty('AWS_EXECUTION_ENV');
    }
  });
});
