import { readFileSync } from 'node:fs';

import { selectEndpoint, type ServiceType } from './auth/catalog.ts';
import { issueToken, revokeToken, type KeystoneToken } from './auth/keystone.ts';
import { TokenManager } from './auth/token-manager.ts';
import type { CloudConfig } from './config/types.ts';
import { errorFromResponse } from './error-body.ts';
import { configError, invalidResponseError } from './errors.ts';
import type { RetryPolicy } from './transport/retry-policy.ts';
import { parseRetryAfterSeconds } from './transport/retry-policy.ts';
import { Transport, type TransportResponse } from './transport/transport.ts';
import { buildUrl, resolveLink, type Query } from './url.ts';

export interface ClientOptions {
  retryPolicy?: Partial<RetryPolicy>;
  /** Re-authenticate when less than this is left of the token (default 5 minutes). */
  tokenRefreshMarginMs?: number;
  /** Pin the compute microversion, e.g. "2.1"; it must lie in the cloud's range. */
  computeMicroversion?: string;
  userAgent?: string;
  /** Source of randomness for retry jitter; tests pass a fixed value. */
  random?: () => number;
  now?: () => number;
}

export interface ServiceRequest {
  service: ServiceType;
  method: string;
  /** Path below the endpoint, e.g. `/servers/detail`. */
  path?: string;
  /** Paging link from a previous response, absolute or relative; replaces `path` and `query`. */
  link?: string;
  query?: Query;
  json?: unknown;
  headers?: Record<string, string>;
  /** Allows retries of a POST that changes nothing; GET, HEAD, PUT and DELETE are idempotent anyway. */
  idempotent?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ServiceResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined for an empty body. */
  body: unknown;
  url: string;
  requestId: string | undefined;
}

/**
 * Turns a catalog URL into the base that paths are appended to. Neutron and Glance endpoints
 * usually have no version, so `/v2.0` and `/v2` are added as openstacksdk does.
 */
export function serviceBaseUrl(service: ServiceType, catalogUrl: string): string {
  const base = catalogUrl.replace(/\/+$/, '');
  if (service === 'network' && !/\/v2\.0$/.test(base)) {
    return `${base}/v2.0`;
  }
  if (service === 'image' && !/\/v2$/.test(base)) {
    return `${base}/v2`;
  }
  return base;
}

function parseJsonBody(response: TransportResponse): unknown {
  if (response.bodyText.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(response.bodyText);
  } catch {
    throw invalidResponseError(`${response.method} ${response.url} returned ${response.status} with a body that is not JSON`, response.url);
  }
}

function readCaBundle(cloud: CloudConfig): string | undefined {
  if (cloud.cacert === undefined) {
    return undefined;
  }
  try {
    return readFileSync(cloud.cacert, 'utf8');
  } catch (error) {
    throw configError(`Cannot read cacert ${cloud.cacert} of cloud "${cloud.name}": ${(error as Error).message}`);
  }
}

/**
 * Authenticated access to one cloud. Service modules (servers, images, networks, ...) take this
 * client as their first argument. Create it with createOpenStackClient and call close() when done.
 */
export class OpenStackClient {
  readonly cloud: CloudConfig;
  readonly transport: Transport;
  readonly tokens: TokenManager;
  readonly options: ClientOptions;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(cloud: CloudConfig, options: ClientOptions = {}) {
    this.cloud = cloud;
    this.options = options;
    this.transport = new Transport({
      tls: { ca: readCaBundle(cloud), rejectUnauthorized: cloud.verify },
      retryPolicy: { ...options.retryPolicy, ...(cloud.apiTimeoutMs === undefined ? {} : { REQUEST_TIMEOUT_MS: cloud.apiTimeoutMs }) },
      userAgent: options.userAgent,
      random: options.random,
    });
    this.tokens = new TokenManager(() => issueToken(cloud, this.transport), {
      refreshMarginMs: options.tokenRefreshMarginMs,
      now: options.now,
    });
  }

  /** Returns the current token, authenticating when needed. */
  token(signal?: AbortSignal): Promise<KeystoneToken> {
    return this.tokens.getToken(signal);
  }

  /** Returns the base URL of a service from the token's catalog (region and interface of the cloud). */
  async endpoint(service: ServiceType, signal?: AbortSignal): Promise<string> {
    const token = await this.tokens.getToken(signal);
    return this.endpointFromToken(service, token);
  }

  /**
   * Sends an authenticated request and returns the parsed response. A 401 causes one
   * re-authentication (shared with concurrent callers) and one more attempt. Statuses outside
   * 2xx become an OpenStackError.
   */
  async request(request: ServiceRequest): Promise<ServiceResponse> {
    let token = await this.tokens.getToken(request.signal);
    let response = await this.sendWithToken(request, token);

    if (response.status === 401) {
      token = await this.tokens.renewAfterRejection(token.value, request.signal);
      response = await this.sendWithToken(request, token);
    }

    if (response.status < 200 || response.status > 299) {
      throw errorFromResponse({
        status: response.status,
        method: response.method,
        url: response.url,
        bodyText: response.bodyText,
        requestId: response.requestId,
        sentRequestId: response.sentRequestId,
        retryAfterSeconds: parseRetryAfterSeconds(response.headers['retry-after']),
      });
    }

    return {
      status: response.status,
      headers: response.headers,
      body: parseJsonBody(response),
      url: response.url,
      requestId: response.requestId,
    };
  }

  /**
   * Runs `factory` once per key and shares its promise, e.g. for the negotiated microversion.
   * A rejected promise is dropped so the next call tries again.
   */
  once<T>(key: string, factory: () => Promise<T>): Promise<T> {
    const existing = this.memo.get(key);
    if (existing !== undefined) {
      return existing as Promise<T>;
    }

    const created = factory();
    this.memo.set(key, created);
    created.then(undefined, () => this.memo.delete(key));
    return created;
  }

  /** Revokes the current token at Keystone (for logout, or to test re-authentication). */
  async revokeCurrentToken(): Promise<void> {
    const token = this.tokens.peek();
    if (token !== undefined) {
      await revokeToken(this.cloud, this.transport, token.value, token.value);
    }
  }

  /** Closes pooled connections. */
  close(): void {
    this.transport.close();
  }

  private endpointFromToken(service: ServiceType, token: KeystoneToken): string {
    const catalogUrl = selectEndpoint(token.catalog, {
      serviceType: service,
      interface: this.cloud.interface,
      regionName: this.cloud.regionName,
    });
    return serviceBaseUrl(service, catalogUrl);
  }

  private sendWithToken(request: ServiceRequest, token: KeystoneToken): Promise<TransportResponse> {
    const base = this.endpointFromToken(request.service, token);
    const url = request.link === undefined ? buildUrl(base, request.path ?? '', request.query) : resolveLink(base, request.link);

    return this.transport.send({
      method: request.method,
      url,
      headers: { ...request.headers, 'X-Auth-Token': token.value },
      json: request.json,
      idempotent: request.idempotent,
      signal: request.signal,
      timeoutMs: request.timeoutMs,
    });
  }
}

export function createOpenStackClient(cloud: CloudConfig, options: ClientOptions = {}): OpenStackClient {
  return new OpenStackClient(cloud, options);
}
