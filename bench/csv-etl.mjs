// csv-etl, 1M rows at 1769 MB, every implementation side by side; and the hand-written parser's throughput
// against csv-parse on the same bytes.   npm run build && node bench/csv-etl.mjs [--rows N] [--parse-only]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, paginateQuery } from '@aws-sdk/client-dynamodb';
import { parse } from 'csv-parse/sync';
import { transform } from 'esbuild';
import { Engine } from '../dist/engine/engine.js';
import { aggregate, csvChunks } from '../dist/experiments/csv-etl/dataset.js';
import { uploadCsv } from '../dist/experiments/csv-etl/upload.js';
import { builtInFunctionsDir } from '../dist/paths.js';
import { startDynamoDb } from '../dist/services/dynamodb/index.js';
import { startS3Server } from '../dist/services/s3/index.js';

const rowsArg = process.argv.indexOf('--rows');
const rows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

// 1. Parser throughput, in this process, on identical text. The hand-written parser is csv-etl-node's own module
// (functions/csv-etl/node/parse.ts), compiled with esbuild as the runtime's bundler does, and fed the bytes in 64 KiB
// chunks as the S3 body arrives; csv-parse gets the text whole (no decoding), which only favours it.
const text = [...csvChunks(rows)].join('');
const mb = Buffer.byteLength(text) / 2 ** 20;
const parseSource = path.join(builtInFunctionsDir, 'csv-etl', 'node', 'parse.ts');
const compiled = await transform(await readFile(parseSource, 'utf8'), {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
});
const { CsvLineSplitter } = await import(
  `data:text/javascript;base64,${Buffer.from(compiled.code).toString('base64')}`
);
const bytes = Buffer.from(text);
const chunks = [];
for (let i = 0; i < bytes.length; i += 64 * 1024) chunks.push(bytes.subarray(i, i + 64 * 1024));
const handWritten = () => {
  let n = 0;
  const splitter = new CsvLineSplitter((fields) => {
    if (fields.length === 4) n++;
  });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return n;
};
const csvParse = () => parse(text, { from_line: 2, relax_column_count: true, skip_empty_lines: true }).length;
const time = (fn) => {
  const runs = [];
  let result;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    result = fn();
    runs.push(performance.now() - t);
  }
  return { ms: median(runs), result };
};
const hand = time(handWritten);
const viaCsvParse = time(csvParse);
// Both must have seen every row, or the comparison means nothing.
if (hand.result !== rows || viaCsvParse.result !== rows)
  throw new Error(`parsers disagree: hand-written ${hand.result}, csv-parse ${viaCsvParse.result}, expected ${rows}`);
const handMs = hand.ms;
const csvParseMs = viaCsvParse.ms;
const parseLine = () =>
  console.log(
    `parse only, same text in one process: hand-written (functions/csv-etl/node/parse.ts) ${(mb / (handMs / 1000)).toFixed(0)} MB/s, csv-parse ${(mb / (csvParseMs / 1000)).toFixed(0)} MB/s → hand-written is ${(csvParseMs / handMs).toFixed(1)}× faster`,
  );
if (process.argv.includes('--parse-only')) {
  parseLine();
  process.exit(0);
}

// 2. Every implementation on the engine at 1769 MB.
const dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-bench-csv-'));
const s3 = await startS3Server({ dataDir: path.join(dir, 's3') });
const dynamo = await startDynamoDb();
const engine = await Engine.create({
  cacheDir: path.resolve('.lambench', 'cache'),
  endpoints: { s3: s3.endpoint, dynamodb: dynamo.endpoint },
});
for (const f of ['node', 'node-csvparse', 'node-polars', 'python-pandas', 'python-polars', 'rust']) {
  await engine.functions.registerFolder(path.join(builtInFunctionsDir, 'csv-etl', f));
}
await uploadCsv(s3.endpoint, { bucket: 'data', key: 'big.csv', rows });
const payload = JSON.stringify({ bucket: 'data', key: 'big.csv' });
const reference = aggregate(text)
  .groups.map((g) => `#diagnosis#${g.diagnosis}#hospital#${g.hospital}|${g.averageRecoveryTime}|${g.mostUsedTreatment}`)
  .sort();
const ddb = new DynamoDBClient({
  endpoint: dynamo.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
async function itemsOf(pk) {
  const items = [];
  const query = {
    TableName: 'csv-etl-results',
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': { S: pk } },
  };
  for await (const page of paginateQuery({ client: ddb }, query)) {
    for (const i of page.Items ?? []) items.push(`${i.SK.S}|${i.AverageRecoveryTime.N}|${i.MostUsedTreatment.S}`);
  }
  return items.sort();
}
const sameItems = (items) => items.length === reference.length && items.every((item, i) => item === reference[i]);
const results = [];
for (const fn of engine.functions
  .list()
  .map((f) => f.name)
  .sort()) {
  try {
    const durations = [];
    let init = 0;
    let pk = '';
    for (let i = 0; i < 4; i++) {
      const r = await engine.invoke({ functionName: fn, payload, memoryMB: 1769 });
      if (r.errorType) throw new Error(`${r.errorType}: ${r.payload}`);
      if (i === 0) init = r.report.initDurationMs ?? 0;
      else durations.push(r.report.durationMs);
      pk = JSON.parse(r.payload.toString()).pk;
    }
    results.push({ fn, ms: median(durations), init, identical: sameItems(await itemsOf(pk)) });
  } catch (error) {
    results.push({ fn, error: String(error.message ?? error).slice(0, 120) });
  }
}
ddb.destroy();
await engine.close();
await s3.close();
await dynamo.close();
await rm(dir, { recursive: true, force: true });

const node = results.find((r) => r.fn === 'csv-etl-node')?.ms;
console.log(
  `csv-etl, ${rows.toLocaleString('en')} rows (${mb.toFixed(1)} MB) at 1769 MB, warm median of 3 (isolation ${engine.isolation}):\n`,
);
console.log(
  '| implementation | duration ms | ÷ csv-etl-node | Init Duration ms | 400 items identical to the reference |\n| --- | --- | --- | --- | --- |',
);
for (const r of results) {
  console.log(
    r.error
      ? `| ${r.fn} | failed: ${r.error} | | | |`
      : `| ${r.fn} | ${r.ms.toFixed(0)} | ${(r.ms / node).toFixed(2)} | ${r.init.toFixed(0)} | ${r.identical ? 'yes' : 'NO'} |`,
  );
}
console.log('');
parseLine();
