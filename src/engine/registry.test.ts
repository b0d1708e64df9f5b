import { describe, expect, it } from 'vitest';
import { AwsError, type LambenchError } from '../errors.js';
import { normalizeManifest } from './manifest.js';
import { FunctionRegistry, LATEST } from './registry.js';

const manifest = (overrides: Record<string, unknown> = {}) =>
  normalizeManifest({ name: 'fn', runtime: 'nodejs20.x', handler: 'index.handler', ...overrides }, 'test');
const code = { codeDir: '/tmp/fn', codeSha256: 'sha', codeSize: 1 };

describe('manifest', () => {
  it('fills AWS defaults', () => {
    const m = manifest();
    expect(m).toMatchObject({ memorySize: 128, timeout: 3, architecture: 'x86_64', environment: {} });
  });

  it.each([
    [{ memorySize: 127 }, /between 128 and 10240/],
    [{ memorySize: 10241 }, /between 128 and 10240/],
    [{ memorySize: 512.5 }, /integer/],
    [{ handler: 'index handler' }, /1 to 128 characters without whitespace/],
    [{ handler: 'h'.repeat(129) }, /1 to 128 characters without whitespace/],
    [{ description: 'd'.repeat(257) }, /at most 256 characters/],
    [{ environment: { A: '1' } }, /Environment variable name "A" is not valid/],
    [{ environment: { AWS_REGION: 'x' } }, /Reserved keys used in this request: AWS_REGION/],
    [{ environment: { BIG: 'x'.repeat(4100) } }, /exceeded the 4KB limit/],
    [{ environment: { NUL: 'a\0b' } }, /NUL character in NUL/],
    [{ name: 'bad name' }, /Function name/],
    [{ timeout: 0 }, /Timeout/],
    [{ architecture: 'sparc' }, /architecture/],
    [{ colour: 'blue' }, /unknown field "colour"/],
    [{ runtime: 'nodejs99.x' }, /runtime parameter of nodejs99\.x is not supported/],
    [{ runtime: 'cobol1' }, /runtime parameter of cobol1 is not supported/],
    [{ runtime: 'python3.99' }, /runtime parameter of python3\.99 is not supported/],
  ])('rejects %j with a clear message', (overrides, message) => {
    expect(() => manifest(overrides)).toThrow(message);
    try {
      manifest(overrides);
    } catch (error) {
      expect((error as LambenchError).code).toBe('INVALID_MANIFEST');
    }
  });

  it('takes any handler AWS takes ("core", folders, nested exports): the runtime judges it at invoke', () => {
    for (const handler of ['core', 'src/app.handlers.get', 'h'.repeat(128)])
      expect(manifest({ handler }).handler).toBe(handler);
  });

  it('lets provided runtimes omit the handler', () => {
    expect(normalizeManifest({ name: 'r', runtime: 'provided.al2023' }, 't').handler).toBe('bootstrap');
  });
});

describe('FunctionRegistry', () => {
  it('resolves names, ARNs and qualifiers', () => {
    const registry = new FunctionRegistry();
    registry.create(manifest(), code);
    const v1 = registry.publishVersion('fn');
    registry.createAlias('fn', { name: 'live', functionVersion: v1.version });
    expect(registry.resolve('fn').version).toBe(LATEST);
    expect(registry.resolve('fn', '1').version).toBe('1');
    expect(registry.resolve('fn', 'live').version).toBe('1');
    expect(registry.resolve('arn:aws:lambda:us-east-1:000000000000:function:fn:live').version).toBe('1');
    expect(registry.resolve('fn:live').version).toBe('1');
    expect(() => registry.resolve('fn', 'nope')).toThrow(AwsError);
    expect(() => registry.resolve('missing')).toThrow(/Function not found/);
  });

  it('publishes a new version only when code or configuration changed', () => {
    const registry = new FunctionRegistry();
    registry.create(manifest(), code);
    expect(registry.publishVersion('fn').version).toBe('1');
    expect(registry.publishVersion('fn').version).toBe('1');
    const before = registry.resolve('fn').revisionId;
    registry.updateConfiguration('fn', { memorySize: 1024 });
    expect(registry.resolve('fn').revisionId).not.toBe(before);
    const v2 = registry.publishVersion('fn');
    expect(v2.version).toBe('2');
    expect(v2.memorySize).toBe(1024);
    expect(registry.resolve('fn', '1').memorySize).toBe(128);
  });

  it('refuses to delete a version an alias points to', () => {
    const registry = new FunctionRegistry();
    registry.create(manifest(), code);
    registry.publishVersion('fn');
    registry.createAlias('fn', { name: 'live', functionVersion: '1' });
    expect(() => registry.delete('fn', '1')).toThrow(/alias live/);
    registry.deleteAlias('fn', 'live');
    registry.delete('fn', '1');
    expect(registry.listVersions('fn').map((v) => v.version)).toEqual([LATEST]);
    registry.delete('fn');
    expect(registry.has('fn')).toBe(false);
  });

  it('validates configuration updates like AWS', () => {
    const registry = new FunctionRegistry();
    registry.create(manifest(), code);
    expect(() => registry.updateConfiguration('fn', { memorySize: 64 })).toThrow(
      expect.objectContaining({ awsType: 'InvalidParameterValueException' }),
    );
    expect(() => registry.updateConfiguration('fn', { runtime: 'cobol1' })).toThrow(
      expect.objectContaining({ awsType: 'InvalidParameterValueException', statusCode: 400 }),
    );
    expect(registry.resolve('fn').runtime).toBe('nodejs20.x');
    expect(() => registry.create(manifest(), code)).toThrow(
      expect.objectContaining({ awsType: 'ResourceConflictException' }),
    );
  });
});
