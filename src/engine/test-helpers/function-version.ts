import type { FunctionVersion } from '../types.js';

/** A $LATEST nodejs20.x function at 128 MB for unit tests; `fields` override any part of it. */
export function testFunctionVersion(fields: Partial<FunctionVersion> = {}): FunctionVersion {
  return {
    name: 'fn',
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 3,
    ephemeralStorage: 512,
    environment: {},
    architecture: 'x86_64',
    description: '',
    codeDir: '/nonexistent',
    version: '$LATEST',
    codeSha256: '',
    codeSize: 0,
    revisionId: 'r',
    lastModified: '',
    ...fields,
  } as FunctionVersion;
}
