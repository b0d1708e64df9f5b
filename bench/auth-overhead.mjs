// What authentication costs per request, beside the ~220 µs the engine adds to a warm invoke
// (bench/engine-overhead.mjs): authorize() on an SDK-shaped Invoke request, by default (any signature) and with
// --credentials (header checks and the signature over an 11-byte body).
//   npm run build && node bench/auth-overhead.mjs
import { createHash, createHmac } from 'node:crypto';
import { authorize } from '../dist/services/auth/guard.js';

const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
const key = { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret' };
const body = Buffer.from('{"echo":42}');
const req = {
  method: 'POST',
  url: '/2015-03-31/functions/hello-node/invocations',
  headers: {
    host: '127.0.0.1:9000',
    'x-amz-date': amzDate,
    'content-type': 'application/octet-stream',
    authorization: `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${amzDate.slice(0, 8)}/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
  },
};
// Keeps the optimiser from dropping the work.
let sink = 0;
function measure(label, run) {
  for (let i = 0; i < 20_000; i++) run();
  const n = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run();
  const us = Number(process.hrtime.bigint() - start) / n / 1000;
  console.log(`${label.padEnd(44)} ${us.toFixed(2)} µs per request`);
}
measure('any signature (default)', () => {
  sink += 'accepted' in authorize(req, 'lambda', {}) ? 1 : 0;
});
measure('--credentials, signature over the body', () => {
  const decision = authorize(req, 'lambda', { credentials: [key] });
  sink += 'verifyBody' in decision && decision.verifyBody(body) ? 1 : 0;
});
measure('(for scale) one sha256 + one HMAC of the body', () => {
  sink += createHash('sha256').update(body).digest()[0] + createHmac('sha256', 'k').update(body).digest()[0];
});
if (sink < 0) console.log(sink);
