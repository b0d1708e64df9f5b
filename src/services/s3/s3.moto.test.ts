import { afterAll, beforeAll, describe } from 'vitest';
import { pythonRuntime } from '../../runtimes/python/adapter.js';
import { type Moto, startMoto } from '../../test-helpers/moto.js';
import { s3Contract } from './s3.contract.js';

/**
 * The same contract against moto's server (PyPI `moto[server]`), a widely used S3 reference: it shows the suite
 * encodes S3's behaviour rather than our server's. Installed with pip into the test cache; skipped without Python.
 */
const python = await pythonRuntime.detect();
let moto: Moto | undefined;

describe.skipIf(!python.available)('S3 contract against moto', () => {
  beforeAll(async () => {
    moto = await startMoto(python.path ?? 'python3');
  }, 300_000);

  afterAll(async () => {
    await moto?.stop();
  });

  // moto 5 stores bodies with a wrong x-amz-checksum-crc32; AWS documents BadDigest, which our server follows.
  s3Contract('moto', () => moto?.endpoint ?? '', { acceptsBadChecksums: true });
});
