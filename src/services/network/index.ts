import { LambenchError } from '../../errors.js';
import { bandwidthBytesPerSecond, NETWORK_MODELS, type NetworkModel, type ServiceName } from './model.js';
import { startShapedProxy } from './proxy.js';
import { TokenBucket } from './shaper.js';

export { classifyRequest } from './classify.js';
export {
  bandwidthBytesPerSecond,
  LAMBDA_2026,
  NETWORK_MODELS,
  type NetworkModel,
  requestLatencyMs,
  type ServiceName,
} from './model.js';
export { startShapedProxy } from './proxy.js';
export { TokenBucket } from './shaper.js';

export type ServiceUrls = Partial<Record<ServiceName, string>>;

/** What results record as `environment.network`. */
export type NetworkDescription =
  | { model: 'none' }
  | {
      model: string;
      /** Where the parameters and their sources live. */
      parameters: string;
      /** Sustained MB/s per environment at the sizes the model is anchored on. */
      bandwidthMBps: Record<string, number>;
      burstBytes: number;
      /** Latency (ms) per service and operation. */
      latencyMs: Record<ServiceName, Record<string, number>>;
      deviations: string[];
      /** Endpoints passed to functions unshaped (https: the relay cannot carry TLS to a host it does not name). */
      unshaped?: string[];
    };

/** One environment's network: its shaped endpoints (what its functions get as AWS_ENDPOINT_URL_*). */
export interface EnvironmentNetwork {
  endpoints: ServiceUrls;
  bucket: TokenBucket;
  close(): Promise<void>;
}

/**
 * A network model applied per execution environment: each environment gets its own relay per service (so the
 * service side knows nothing, and external endpoints are shaped like embedded ones) and one token bucket.
 */
export class Network {
  readonly model: NetworkModel;
  readonly #unshaped = new Set<string>();

  constructor(model: NetworkModel) {
    this.model = model;
  }

  /** Starts `memoryMB`'s relays in front of `services`; an https endpoint is handed on as it is. */
  async attach(memoryMB: number, services: ServiceUrls): Promise<EnvironmentNetwork> {
    const bucket = new TokenBucket(bandwidthBytesPerSecond(this.model, memoryMB), this.model.burstBytes);
    const endpoints: ServiceUrls = {};
    const proxies: Array<{ close(): Promise<void> }> = [];
    const close = async () => {
      await Promise.allSettled(proxies.map((proxy) => proxy.close()));
    };
    try {
      for (const service of ['s3', 'dynamodb', 'lambda'] as const) {
        const url = services[service];
        if (!url) continue;
        const parsed = new URL(url);
        if (parsed.protocol !== 'http:' || (parsed.pathname !== '/' && parsed.pathname !== '')) {
          this.#unshaped.add(`${service}: ${url}`);
          endpoints[service] = url;
          continue;
        }
        const proxy = await startShapedProxy({
          upstream: { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 80) },
          service,
          model: this.model,
          bucket,
        });
        proxies.push(proxy);
        endpoints[service] = proxy.endpoint;
      }
    } catch (error) {
      await close();
      throw error;
    }
    return { endpoints, bucket, close };
  }

  describe(): NetworkDescription {
    const { model } = this;
    const latencyMs = Object.fromEntries(
      Object.entries(model.latency).map(([service, latency]) => [
        service,
        {
          ...latency.operations,
          connect: latency.connectMs,
          ...(latency.perBatchItemMs ? { perBatchItem: latency.perBatchItemMs } : {}),
        },
      ]),
    ) as unknown as Record<ServiceName, Record<string, number>>;
    return {
      model: model.name,
      parameters: 'src/services/network/model.ts',
      bandwidthMBps: Object.fromEntries(model.bandwidthMBps.map(([memoryMB, mbps]) => [String(memoryMB), mbps])),
      burstBytes: model.burstBytes,
      latencyMs,
      deviations: [...model.deviations],
      ...(this.#unshaped.size ? { unshaped: [...this.#unshaped] } : {}),
    };
  }
}

/** What `run`, `tune` and `invoke` use unless `--network` says otherwise (`serve` defaults to none). */
export const DEFAULT_NETWORK_MODEL = 'lambda-2026';

/** `--network NAME|none` → the model, or null for none. */
export function parseNetworkOption(value: string | undefined, fallback: string): Network | null {
  const name = value ?? fallback;
  if (name === 'none') return null;
  const model = NETWORK_MODELS[name];
  if (!model) {
    throw new LambenchError(
      'INVALID_ARGUMENT',
      `Unknown network model "${name}".`,
      `Use --network ${[...Object.keys(NETWORK_MODELS), 'none'].join(' or ')}.`,
    );
  }
  return new Network(model);
}
