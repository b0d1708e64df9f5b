// A 1 MB zip of 1 GiB of zeros against `lambench serve`: the answer, and serve's peak RSS (VmHWM) before and after.
// node bench/zip-bomb.mjs   (needs dist/: npm run build)
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, createDeflateRaw } from 'node:zlib';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';

const dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-zip-bomb-'));
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'lambench.js');
const serve = spawn(process.execPath, [bin, 'serve', '--json', '--quiet', '--isolation', 'none', '--data-dir', dir]);
const endpoints = await new Promise((resolve, reject) => {
  let out = '';
  serve.stdout.on('data', (c) => {
    out += c;
    if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
  });
  serve.once('exit', () => reject(new Error('serve exited')));
});
const hwm = async () => Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${serve.pid}/status`, 'utf8'))[1]) / 1024;
const lambda = new LambdaClient({
  endpoint: endpoints.lambda,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
/** One stored-by-deflate entry of `size` zeros, streamed through zlib so this script never holds them either. */
async function zerosZip(size) {
  const deflate = createDeflateRaw({ level: 9 });
  const parts = [];
  deflate.on('data', (b) => parts.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const chunk = Buffer.alloc(1 << 20);
  let crc = 0;
  for (let left = size; left > 0; left -= chunk.length) {
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const data = Buffer.concat(parts);
  const name = Buffer.from('zeros.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}
const zip = await zerosZip(1 << 30);
const before = await hwm();
const started = performance.now();
const answer = await lambda
  .send(
    new CreateFunctionCommand({
      FunctionName: 'bomb',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::123456789012:role/x',
      Code: { ZipFile: zip },
    }),
  )
  .then(
    () => 'accepted',
    (e) => `${e.name}: ${e.message}`,
  );
const ms = performance.now() - started;
const after = await hwm();
console.log(`zip ${(zip.length / 2 ** 20).toFixed(2)} MiB of 1 GiB zeros → ${answer} in ${ms.toFixed(0)} ms`);
console.log(`serve peak RSS (VmHWM) ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after`);
lambda.destroy();
serve.kill('SIGINT');
await new Promise((resolve) => serve.once('exit', resolve));
await rm(dir, { recursive: true, force: true });
