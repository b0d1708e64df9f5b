import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { patientSeconds } from '../../src/engine/test-helpers/slowdown.js';
import { json, type RawAnswer, type RawRequest, rawRequest, type Served, startServe, stillServes } from './helpers.js';
import { settled, snapshot } from './leftovers.js';

/**
 * The fault matrix's one wrapper: every case, whatever its surface, is run as
 *   baseline snapshot → act → AWS's answer asserted → the engine still serves (signed Invoke, S3, DynamoDB) →
 *   nothing left beyond the baseline (processes, cgroups, fds and sockets, /tmp images, staging folders).
 * Warm environments are the engine keeping what AWS keeps, not a leak: they are retired before the baseline and
 * after the case, so whatever remains afterwards was lost by the engine.
 */
export interface MatrixContext {
  served: Served;
  /** Where the fixtures' function folders are (and any a case writes). */
  fixtures: string;
  lambda(request: RawRequest): Promise<RawAnswer>;
  s3(request: RawRequest): Promise<RawAnswer>;
  dynamodb(request: RawRequest): Promise<RawAnswer>;
  /** A signed synchronous Invoke through the HTTP API. */
  invoke(name: string, payload: string | Buffer, headers?: Record<string, string>): Promise<RawAnswer>;
  /** Writes a function folder and registers it with the engine (as `functions/` folders are). */
  register(name: string, manifest: Record<string, unknown>, files: Record<string, string>): Promise<void>;
}

export interface MatrixCase<A = unknown> {
  surface: string;
  name: string;
  /** A reason to skip on this host (e.g. no cgroup driver for memory limits), or null to run. */
  skip?: (ctx: MatrixContext) => string | null;
  act(ctx: MatrixContext): Promise<A>;
  expect(answer: A, ctx: MatrixContext): void;
}

/** Identity, for type inference of each case's answer. */
export const matrixCase = <A>(c: MatrixCase<A>): MatrixCase => c as MatrixCase;

/** A provided.al2023 bootstrap: a small Node script speaking the Runtime API (`call(method, path, body, headers)`). */
export const bootstrap = (body: string) => `#!${process.execPath}
const base = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime';
const call = async (method, p, body, headers = {}) => {
  const res = await fetch(base + p, { method, body, headers });
  return { status: res.status, id: res.headers.get('lambda-runtime-aws-request-id'), text: await res.text() };
};
${body}
`;

/** A provided.al2023 manifest with a short timeout (1–3 s keeps the matrix fast; scaled on slow hosts). */
export const providedManifest = (name: string, seconds = 3) => ({
  name,
  runtime: 'provided.al2023',
  handler: 'bootstrap',
  timeout: patientSeconds(seconds),
});

export const errorType = (answer: RawAnswer) => answer.headers['x-amzn-errortype'];
export const payloadOf = (answer: RawAnswer) => json(answer.body);

export function runMatrix(
  title: string,
  cases: MatrixCase[],
  setup: (ctx: MatrixContext) => Promise<void> = async () => {},
): void {
  let ctx: MatrixContext;
  let watchedDirs: string[];

  const retireAll = async () => {
    for (const fn of ctx.served.engine.functions.list()) await ctx.served.engine.retireIdle(fn.name);
  };

  describe(title, () => {
    beforeAll(async () => {
      const served = await startServe();
      const fixtures = path.join(served.workDir, 'fixtures');
      const signed = (endpoint: string, service: 'lambda' | 's3' | 'dynamodb') => (request: RawRequest) =>
        rawRequest(endpoint, request, { service });
      ctx = {
        served,
        fixtures,
        lambda: signed(served.endpoints.lambda, 'lambda'),
        s3: signed(served.endpoints.s3, 's3'),
        dynamodb: signed(served.endpoints.dynamodb, 'dynamodb'),
        invoke: (name, payload, headers = {}) =>
          ctx.lambda({
            method: 'POST',
            path: `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
            headers,
            body: payload,
          }),
        register: async (name, manifest, files) => {
          const dir = path.join(fixtures, name);
          await mkdir(dir, { recursive: true });
          await writeFile(path.join(dir, 'function.json'), JSON.stringify(manifest));
          for (const [file, text] of Object.entries(files)) {
            await writeFile(path.join(dir, file), text);
            if (file === 'bootstrap') await chmod(path.join(dir, file), 0o755);
          }
          await served.engine.functions.registerFolder(dir);
        },
      };
      watchedDirs = [path.join(served.workDir, 'data'), path.resolve('.lambench', 'cache')];
      await setup(ctx);
      // The first answers open what the services keep for their lifetime (stores, dynalite's database).
      await stillServes(served);
      await retireAll();
    });

    afterAll(async () => {
      await ctx?.served.close();
    });

    it.for(cases.map((c) => [`${c.surface}: ${c.name}`, c] as const))('%s', async ([, c], test) => {
      const reason = c.skip?.(ctx) ?? null;
      if (reason) return test.skip(reason); // reported as skipped, with the reason
      await retireAll();
      const baseline = snapshot(watchedDirs);
      const answer = await c.act(ctx);
      c.expect(answer, ctx);
      await stillServes(ctx.served);
      await retireAll();
      await settled(baseline, { watchedDirs });
    });
  });
}
