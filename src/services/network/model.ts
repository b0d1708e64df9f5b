/**
 * The network model: what an execution environment's network costs on AWS Lambda, by memory size. Every figure the
 * model uses is in this file, each with the source it comes from and what that source measured. Nothing else in
 * lambench holds a network parameter; `shaper.ts` and `proxy.ts` only apply these.
 *
 * What it models, per execution environment (all its connections together, as on Lambda, where one network
 * interface's allowance is shared by everything the environment opens):
 * - bandwidth: one token bucket shared by every connection and both directions, its rate by memory size;
 * - latency: per request, the time from the request's last byte to the answer's first byte, by service and
 *   operation (S3 GetObject, DynamoDB PutItem, …), as a floor: the local service's own time counts towards it;
 *   a Lambda Invoke adds its front end's overhead to the callee's real run instead;
 * - connection set-up: a new connection's first request waits a TCP + TLS handshake.
 *
 * What it does not model (lambench deviates from AWS here, and says so in every result's `environment.network`):
 * - burst credits: AWS lets some transfers burst above the sustained rate for a while; the bucket here holds only a
 *   TCP-window's worth (`burstBytes`), so every transfer runs at the sustained rate;
 * - variance: AWS's figures scatter (Cribl: "performance variability is higher on the low end"); these are medians;
 * - the other side's limits: S3's per-connection ceiling, DynamoDB's throughput capacity and throttling;
 * - DNS, the SDK's own retries, and payload-dependent server time other than BatchWriteItem's per-item cost.
 */

export interface Source {
  /** Title of the page or document. */
  title: string;
  url: string;
  /** What it measured, and how the figure below follows from it. */
  measured: string;
}

export type ServiceName = 's3' | 'dynamodb' | 'lambda';

export interface ServiceLatency {
  /** Request end → answer's first byte, by operation name (as `classify.ts` names them); `default` for the rest. */
  operations: Record<string, number> & { default: number };
  /** DynamoDB BatchWriteItem: what each put or delete request in the batch adds to the operation's latency. */
  perBatchItemMs?: number;
  /**
   * `floor`: the local service's own time counts towards the latency (S3, DynamoDB: their work is emulated, so only
   * AWS's total is meaningful). `added`: the latency is added on top (Lambda: the callee's run is real).
   */
  mode: 'floor' | 'added';
  /** A new connection's set-up (TCP + TLS handshake) before its first request leaves. */
  connectMs: number;
}

export interface NetworkModel {
  /** Recorded in results as `environment.network.model`. */
  name: string;
  /** Sustained bandwidth of one environment (MB/s, 1 MB = 2^20 bytes) at the anchor memory sizes; interpolated linearly. */
  bandwidthMBps: ReadonlyArray<readonly [memoryMB: number, mbps: number]>;
  /** What the token bucket holds when idle: the most a transfer gets above the sustained rate. */
  burstBytes: number;
  latency: Record<ServiceName, ServiceLatency>;
  sources: Record<string, Source>;
  /** Where lambench's model differs from AWS (recorded in results). */
  deviations: string[];
}

const SOURCES = {
  dpgMedia: {
    title: "DPG Media — The Effect of Memory Configuration on AWS Lambda's Network Throughput (2022)",
    url: 'https://dpgmedia-engineering.medium.com/the-effect-of-memory-configuration-on-aws-lambdas-network-throughput-410bde99127',
    measured:
      'Upload throughput of a ~20 MB image from a Python Lambda (in a VPC) at several memory sizes: throughput rises with memory and levels off at the top sizes; at 256 MB the transfers were slow enough to take tens of seconds through their NAT path.',
  },
  cribl: {
    title: 'Cribl — AWS Lambda physics (Ledion Bitincka, 2018)',
    url: 'https://cribl.io/blog/aws-lambda-physics/',
    measured:
      'S3 download throughput by memory size over many invocations: "Network performance improves as more RAM is allocated, performance variability is higher on the low end"; concurrency (up to 1000) does not change it.',
  },
  harding: {
    title: 'Lee Harding — Serverless, large file downloads to S3 (circuitpeople, 2018)',
    url: 'https://medium.com/circuitpeople/serverless-large-file-downloads-to-s3-a11b4ef4788e',
    measured:
      'One Lambda streaming files of 10 MB … 10 GB into S3: 100 MB in 1873 ms, 1 GB in 16510 ms, 10 GB in 190015 ms, i.e. "400 to 700 million bits per second" (50–85 MB/s): the ceiling of one environment at a large memory size.',
  },
  awsMemory: {
    title: 'AWS Lambda Developer Guide — Configuring Lambda function memory / Serverless Architectures whitepaper',
    url: 'https://docs.aws.amazon.com/whitepapers/latest/serverless-architectures-lambda/choosing-the-optimal-memory-size.html',
    measured:
      'Documented, not measured: "The amount of allocated RAM also impacts the amount of CPU time and network bandwidth your function receives." No figure is published, hence the measured anchors.',
  },
  kkcS3: {
    title: 'Kakashi — How I Analyze S3 Upload Latency Issues (2020)',
    url: 'https://kkc.github.io/2020/03/16/s3-latency/',
    measured:
      'A boto3 PutObject of a 60 KB image from Lambda in us-east-1 to a bucket in us-east-1 took 60–120 ms (plain HTTP) and 60–133 ms (TLS), including the SDK and the body; across regions 300–550 ms.',
  },
  s3Performance: {
    title: 'Amazon S3 User Guide — Performance design patterns for Amazon S3',
    url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance-design-patterns.html',
    measured:
      'Documented: small-object latencies "and first-byte-out latencies for larger objects" of roughly 100–200 ms as the planning figure (a conservative bound; in-region medians are lower).',
  },
  issue16: {
    title: 'Oxidizing Lambda Functions — published PowerTuning results (lambench issue 16)',
    url: 'https://github.com/luiscarlosjayk/oxidizing-lambda-functions',
    measured:
      'The Python functions write 400 items with one put_item each; their 10k-row curves sit at ~2.5 s at every size from 1024 to 5000 MB, i.e. ~6 ms per PutItem round trip from a Lambda (boto3 included).',
  },
  dynamodbDocs: {
    title: 'Amazon DynamoDB Developer Guide — What is Amazon DynamoDB?',
    url: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Introduction.html',
    measured: 'Documented: "consistent single-digit millisecond performance at any scale".',
  },
  lambdaInvoke: {
    title: 'AWS Compute Blog — Operating Lambda: Performance optimization',
    url: 'https://aws.amazon.com/blogs/compute/operating-lambda-performance-optimization-part-1/',
    measured:
      'The synchronous Invoke path (front end, placement, the answer back) adds milliseconds to the callee’s own Duration; the overhead figure here is set from the api-calls experiment’s published serial-call curve.',
  },
} as const satisfies Record<string, Source>;

/**
 * lambench's default: Lambda as measured in the sources above. Anchors between them are interpolated linearly;
 * below 128 MB and above 10240 MB the end values hold.
 */
export const LAMBDA_2026: NetworkModel = {
  name: 'lambda-2026',
  bandwidthMBps: [
    // Cribl, DPG Media: throughput grows with memory at the low end. 128 → 256 MB doubles it (CPU share and network
    // share scale together below one vCPU).
    [128, 10],
    [256, 20],
    [512, 38],
    // Harding: 50–85 MB/s for one large environment; the curve reaches that band at ~1 vCPU (1769 MB) and stays there.
    [1024, 60],
    [1769, 75],
    [10240, 80],
  ],
  // A TCP window's worth: enough to absorb the timers' granularity, far too little to be a burst credit.
  burstBytes: 256 * 1024,
  latency: {
    s3: {
      // Kakashi: 60–133 ms for a 60 KB PUT from Lambda in-region with boto3, TLS included; S3's own planning figure
      // is 100–200 ms. GETs answer faster than PUTs (no durable write before the answer).
      operations: {
        GetObject: 25,
        HeadObject: 20,
        PutObject: 45,
        UploadPart: 45,
        CompleteMultipartUpload: 60,
        CreateMultipartUpload: 30,
        ListObjects: 35,
        DeleteObject: 25,
        DeleteObjects: 40,
        CopyObject: 60,
        default: 30,
      },
      mode: 'floor',
      connectMs: 4,
    },
    dynamodb: {
      // issue 16: ~6 ms per PutItem from a Lambda; DynamoDB documents "single-digit millisecond".
      operations: {
        PutItem: 6,
        GetItem: 5,
        UpdateItem: 6,
        DeleteItem: 6,
        Query: 8,
        Scan: 10,
        BatchGetItem: 10,
        BatchWriteItem: 8,
        TransactWriteItems: 15,
        default: 6,
      },
      // A batch of 25 writes costs about what a few sequential PutItems do, not 25 of them.
      perBatchItemMs: 0.4,
      mode: 'floor',
      connectMs: 3,
    },
    lambda: {
      operations: { Invoke: 12, default: 10 },
      mode: 'added',
      connectMs: 3,
    },
  },
  sources: SOURCES,
  deviations: [
    'no burst credits: every transfer runs at the sustained rate of its memory size',
    'medians only: no variance between requests or environments',
    "no service-side limits (S3's per-connection ceiling, DynamoDB capacity and throttling)",
    'latency per operation, not per payload size (except BatchWriteItem items)',
  ],
};

export const NETWORK_MODELS: Record<string, NetworkModel> = { [LAMBDA_2026.name]: LAMBDA_2026 };

/** Sustained bandwidth of one environment of `memoryMB`, in bytes per second. */
export function bandwidthBytesPerSecond(model: NetworkModel, memoryMB: number): number {
  const anchors = model.bandwidthMBps;
  const first = anchors[0];
  const last = anchors[anchors.length - 1];
  if (!first || !last) throw new Error(`network model ${model.name} has no bandwidth anchors`);
  let mbps = memoryMB <= first[0] ? first[1] : last[1];
  for (let i = 1; i < anchors.length; i++) {
    const [m0, v0] = anchors[i - 1] as readonly [number, number];
    const [m1, v1] = anchors[i] as readonly [number, number];
    if (memoryMB >= m0 && memoryMB <= m1) {
      mbps = v0 + ((v1 - v0) * (memoryMB - m0)) / (m1 - m0);
      break;
    }
  }
  return mbps * 1024 * 1024;
}

/** The modelled latency of one request (ms): its operation's figure, plus BatchWriteItem's per-item cost. */
export function requestLatencyMs(model: NetworkModel, service: ServiceName, operation: string, items = 0): number {
  const latency = model.latency[service];
  const base = latency.operations[operation] ?? latency.operations.default;
  return base + (operation === 'BatchWriteItem' ? items * (latency.perBatchItemMs ?? 0) : 0);
}
