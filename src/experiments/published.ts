/**
 * AWS figures the classic experiments' originals published, in one place, each with where it comes from and what
 * the original measured. The fidelity score (fidelity.ts) compares the shape of our curves with these.
 */

export interface PublishedCurve {
  /** The curve's name in the original (e.g. "Rust", "serial boto3"). */
  name: string;
  rows?: number;
  /** Memory sizes (MB) and the published duration at each (ms); null where the original has no figure. */
  sizes: number[];
  durationsMs: Array<number | null>;
  /** Sizes whose figure is read off a chart or a summary ("~1800 ms") rather than a published number. */
  approximate?: number[];
  /** Where exactly the numbers are (a link that encodes them, a file, a table). */
  source: string;
}

export interface PublishedSet {
  experiment: string;
  /** The write-up and the repository. */
  source: string;
  /** What the original measured, in its own terms: which time, how averaged, where. */
  measured: string;
  curves: PublishedCurve[];
}

const OXIDIZING_SIZES = [256, 512, 1024, 1536, 2048, 3008, 5000];
const OXIDIZING_README = 'luiscarlosjayk/oxidizing-lambda-functions README.md (commit 55f0792), "Results"';
/** A lambda-power-tuning.show link: base64 int16 sizes ; base64 float32 average durations (ms) ; float32 costs. */
const tuningLink = (sizes: string, durations: string) => `https://lambda-power-tuning.show/#${sizes};${durations};…`;
const SIZES_B64 = 'AAEAAgAEAAYACMALiBM=';

export const CSV_ETL_PUBLISHED: PublishedSet = {
  experiment: 'csv-etl',
  source: '"Oxidizing Lambda Functions", luiscarlosjayk/oxidizing-lambda-functions (September 2024)',
  measured:
    'AWS Lambda Power Tuning: average Duration per memory size (ms) of the deployed functions, arm64 (Graviton), ' +
    'us-east-1, Node.js 20 / Python 3.12 / provided.al2023 (Rust), reading the CSV from S3 and writing 400 items to ' +
    'DynamoDB; the figures are those the README links encode (decoded here; the charts show the same).',
  curves: [
    {
      name: 'Rust',
      rows: 1_000_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [5629, 2772, 1519, 1320, 1131, 1130, 1124],
      source: `${OXIDIZING_README}, Rust, One Million Rows: ${tuningLink(SIZES_B64, 'VemvRatCLUVV5b1EVQWlRFVljUSrSo1EVYWMRA==')}`,
    },
    {
      name: 'Node.js 20',
      rows: 1_000_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [15424, 7668, 3791, 2758, 2167, 2220, 2166],
      source: `${OXIDIZING_README}, Nodejs, One Million Rows: ${tuningLink(SIZES_B64, 'Vf9wRgCc70VV7WxFq2IsRatyB0VVvQpFAGAHRQ==')}`,
    },
    {
      name: 'Python + Polars',
      rows: 1_000_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [15100, 7792, 4097, 3667, 3193, 3313, 3124],
      source: `${OXIDIZING_README}, Python with Polars, One Million Rows: ${tuningLink(SIZES_B64, 'VfFrRgCE80VVBYBFqyplRVWVR0WrCk9Fq0JDRQ==')}`,
    },
    {
      name: 'Python + Pandas',
      rows: 1_000_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [81826, 35664, 20898, 15907, 12249, 12906, 12242],
      source: `${OXIDIZING_README}, Python with Pandas, One Million Rows: ${tuningLink(SIZES_B64, 'FdGfR1VQC0cARKNGAIx4RqtkP0arpklGVUk/Rg==')}`,
    },
    {
      name: 'LLRT',
      rows: 1_000_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [67844, 33332, 16873, 13684, 9674, 9624, 9567],
      source: `${OXIDIZING_README}, Node LLRT, One Million Rows: ${tuningLink(SIZES_B64, 'wIGER1U0AkdV0oNGVdFVRlUpF0ZVYRZGVX0VRg==')}`,
    },
    {
      name: 'Rust',
      rows: 10_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [256, 225, 220, 204, 228, 208, 208],
      source: `${OXIDIZING_README}, Rust, Ten Thousand Rows: ${tuningLink(SIZES_B64, 'VdV/Q6sqYUOrqltDAIBLQ6sqZENV1U9Dq6pPQw==')}`,
    },
    {
      name: 'Node.js 20',
      rows: 10_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [673, 432, 264, 276, 302, 228, 223],
      source: `${OXIDIZING_README}, Nodejs, Ten Thousand Rows: ${tuningLink(SIZES_B64, 'qyooRKsq2EOr6oNDqyqKQ6sql0MAgGRDAABfQw==')}`,
    },
    {
      name: 'Python + Polars',
      rows: 10_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [6431, 3023, 2474, 2616, 2729, 2576, 2808],
      source: `${OXIDIZING_README}, Python with Polars, Ten Thousand Rows: ${tuningLink(SIZES_B64, 'VfXIRavyPEWrmhpFAIgjRauKKkVVBSFFAHgvRQ==')}`,
    },
    {
      name: 'Python + Pandas',
      rows: 10_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [6958, 3463, 2954, 2689, 2330, 2466, 2479],
      source: `${OXIDIZING_README}, Python with Pandas, Ten Thousand Rows: ${tuningLink(SIZES_B64, 'q27ZRatqWEWrmjhFqwooRVWdEUWrIhpFAPAaRQ==')}`,
    },
    {
      name: 'LLRT',
      rows: 10_000,
      sizes: OXIDIZING_SIZES,
      durationsMs: [1054, 552, 346, 298, 282, 292, 290],
      source: `${OXIDIZING_README}, Node LLRT, Ten Thousand Rows: ${tuningLink(SIZES_B64, 'ANCDRFUVCkQAQK1DAECVQ6vqjENVFZJDAACRQw==')}`,
    },
  ],
};

export const S3_DOWNLOAD_PUBLISHED: PublishedSet = {
  experiment: 's3-download',
  source: 'Marchusness/lambda-performance README.md, "S3 Download Times" (November 2024)',
  measured:
    'download_time: inside the function (Python, boto3), time.time() around ListObjectsV2 plus one GetObject per ' +
    'object in its own thread, joined; the bodies are never read (only the response headers arrive), 20 objects ' +
    '(described as 500 MB each), averaged over 100 invocations per memory size. total_time (the caller’s, invoke ' +
    'included) is 20–23 ms more at every size.',
  curves: [
    {
      name: 'download_time (headers only)',
      sizes: [1024, 2048, 3072, 4096, 6144, 10240],
      durationsMs: [469.9, 262.3, 211.7, 194.7, 189.0, 160.9],
      source: 'Marchusness/lambda-performance README.md, the JSON under "S3 Download Times" (download_time, seconds)',
    },
  ],
};

export const API_CALLS_PUBLISHED: PublishedSet = {
  experiment: 'api-calls',
  source:
    'Trek10, "AWS Lambda Function Performance: parallelism in python with boto3 and aioboto3" (Joel Haubold, March 2020)',
  measured:
    'Python Lambda functions listing a bucket (ListObjectsV2) and calling GetObjectAcl for each of its 100 objects: ' +
    'serially with boto3, and concurrently with aioboto3 (asyncio.gather), duration over memory 128…3008 MB on AWS. ' +
    'Only the figures the post states in its text are kept here (the design brief’s summary of them): serial ' +
    '4771 ms at 128 MB and about 1800 ms above 1024 MB, aioboto3 4792 ms at 128 MB and about 615 ms at 1536 MB; the ' +
    'other sizes are in the post’s charts only, so the score covers the sizes listed.',
  curves: [
    {
      name: 'serial boto3',
      sizes: [128, 1536, 2048, 3008],
      durationsMs: [4771, 1800, 1800, 1800],
      approximate: [1536, 2048, 3008],
      source: 'Trek10 2020 (text: 4771 ms at 128 MB; "~1800 ms" above 1024 MB), as summarised in the design brief',
    },
    {
      name: 'aioboto3',
      sizes: [128, 1536],
      durationsMs: [4792, 615],
      approximate: [1536],
      source: 'Trek10 2020 (text: 4792 ms at 128 MB; "~615 ms" at 1536 MB), as summarised in the design brief',
    },
  ],
};

/**
 * Not an experiment's original: AWS's CPU throttling itself, measured with a fixed unit of CPU work. It checks the CPU
 * model under every experiment (bench/cpu-throttling.mjs). Time per unit = the test's 5 s ÷ the units it finished.
 */
export const THROTTLING_PUBLISHED: PublishedSet = {
  experiment: 'cpu-throttling',
  source: 'pwrdrvr/lambda-throttling (March 2025), docs/index.html: the report of its tests of 2025-03-01',
  measured:
    'A Node.js 20 function (x86_64, the CDK default) repeating one unit of work — 100 KiB of random bytes, SHA-256, ' +
    'deflate, SHA-512 — for 5 s of wall time at 128, 256, 512, 1024 and 1769 MB, counting the units finished (86, ' +
    '184, 370, 764, 1347); one invocation per size. Its 3000 MB calibration took 3.5937 ms per unit, unthrottled.',
  curves: [
    {
      name: 'work unit',
      sizes: [128, 256, 512, 1024, 1769],
      durationsMs: [86, 184, 370, 764, 1347].map((units) => 5000 / units),
      source: 'docs/index.html, "Total iterations" per memory size (commit e5ec41e)',
    },
  ],
};

/** The same report's 3000 MB calibration: mean wall time of one unit with more than a vCPU (ms). */
export const THROTTLING_UNTHROTTLED_MS_PER_UNIT = 3.5937;

export function publishedCurve(set: PublishedSet, name: string, rows?: number): PublishedCurve | undefined {
  return set.curves.find((c) => c.name === name && (rows === undefined || c.rows === rows));
}

/** Cold starts (Init Duration, ms) at 512 MB, read off the write-up's chart (img/cold-starts.png). */
export const CSV_ETL_COLD_512: Record<string, number> = {
  'Python + Pandas': 2984,
  'Python + Polars': 1475,
  'Node.js 20': 448,
  LLRT: 65,
  Rust: 47,
};
