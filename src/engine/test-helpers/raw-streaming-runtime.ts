/** Waits for a file the test creates: how a handler learns that the test has seen its first chunk. */
export const WAIT_FOR =
  'const waitFor = (file) => new Promise((resolve) => { const poll = () => (fs.existsSync(file) ? resolve() : setTimeout(poll, 5)); poll(); });';

/** A custom runtime speaking the Runtime API's streaming mode over a raw socket: chunks, then trailers. */
export const RAW_BOOTSTRAP = `#!${process.execPath}
const net = require('node:net');
const fs = require('node:fs');
${WAIT_FOR}
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const socket = net.connect({ host, port: Number(port) });
let buffer = Buffer.alloc(0);
let onData = () => {};
socket.on('data', (d) => { buffer = Buffer.concat([buffer, d]); onData(); });
const readResponse = () => new Promise((resolve) => {
  onData = () => {
    const end = buffer.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const head = buffer.subarray(0, end).toString();
    const length = Number(/content-length: (\\d+)/i.exec(head)?.[1] ?? 0);
    if (buffer.length < end + 4 + length) return;
    const body = buffer.subarray(end + 4, end + 4 + length).toString();
    buffer = buffer.subarray(end + 4 + length);
    resolve({ head, body });
  };
  onData();
});
const chunk = (text) => socket.write(Buffer.byteLength(text).toString(16) + '\\r\\n' + text + '\\r\\n');
(async () => {
  for (;;) {
    socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n');
    const next = await readResponse();
    const id = /lambda-runtime-aws-request-id: (\\S+)/i.exec(next.head)[1];
    const event = JSON.parse(next.body);
    socket.write('POST /2018-06-01/runtime/invocation/' + id + '/response HTTP/1.1\\r\\nHost: x\\r\\n' +
      'Lambda-Runtime-Function-Response-Mode: streaming\\r\\nTransfer-Encoding: chunked\\r\\nContent-Type: ' + (event.contentType ?? 'text/plain') + '\\r\\n' +
      'Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\\r\\n\\r\\n');
    chunk('first ');
    await waitFor(event.signal);
    chunk('second');
    let trailers = '';
    if (event.fail) {
      const body = Buffer.from(JSON.stringify({ errorType: 'Custom.Broken', errorMessage: 'half way' })).toString('base64');
      trailers = 'Lambda-Runtime-Function-Error-Type: Custom.Broken\\r\\nLambda-Runtime-Function-Error-Body: ' + body + '\\r\\n';
    }
    socket.write('0\\r\\n' + trailers + '\\r\\n');
    await readResponse();
  }
})();
`;
