import { OPENSTACK_ERROR_CODES, isOpenStackError } from '../errors.ts';
import { createHttpAgents, destroyHttpAgents, sendHttpRequest, type HttpAgents, type HttpResponse, type TlsOptions } from './http.ts';
import { REQUEST_ID_HEADER, RESPONSE_REQUEST_ID_HEADER, newRequestId } from './request-id.ts';
import {
  backoffDelayMs,
  isIdempotentMethod,
  isRetryableStatus,
  parseRetryAfterSeconds,
  resolveRetryPolicy,
  type RetryPolicy,
} from './retry-policy.ts';
import { sleep } from './sleep.ts';

export interface TransportRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** Serialised as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Overrides the method's idempotency, e.g. for a POST that creates nothing (Keystone token). */
  idempotent?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface TransportResponse extends HttpResponse {
  method: string;
  url: string;
  /** `x-openstack-request-id` (or Nova's `x-compute-request-id`) of the response. */
  requestId: string | undefined;
  /** The `X-OpenStack-Request-ID` this client sent with the last attempt. */
  sentRequestId: string;
  /** How many HTTP requests were sent, retries included. */
  attempts: number;
}

export interface TransportOptions {
  tls: TlsOptions;
  retryPolicy?: Partial<RetryPolicy>;
  userAgent?: string;
  /** Source of randomness for backoff jitter; tests pass a fixed value. */
  random?: () => number;
}

const DEFAULT_USER_AGENT = 'tenant-portal-openstack-client';

function responseRequestId(headers: Record<string, string>): string | undefined {
  return headers[RESPONSE_REQUEST_ID_HEADER] ?? headers['x-compute-request-id'];
}

/**
 * Sends HTTP requests with a fresh request id per attempt, a per-attempt timeout, and retries of
 * idempotent requests after 5xx, 429 and connection failures. Returns responses of every status:
 * turning a status into an error is the session's job, because a 401 first triggers re-authentication.
 */
export class Transport {
  readonly policy: RetryPolicy;
  private readonly agents: HttpAgents;
  private readonly userAgent: string;
  private readonly random: () => number;

  constructor(options: TransportOptions) {
    this.policy = resolveRetryPolicy(options.retryPolicy);
    this.agents = createHttpAgents(options.tls);
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.random = options.random ?? Math.random;
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    const idempotent = request.idempotent ?? isIdempotentMethod(request.method);
    const maxAttempts = idempotent ? Math.max(1, this.policy.maxAttempts) : 1;
    const body = request.json === undefined ? undefined : JSON.stringify(request.json);

    for (let attempt = 1; ; attempt += 1) {
      const sentRequestId = newRequestId();
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'User-Agent': this.userAgent,
        [REQUEST_ID_HEADER]: sentRequestId,
        ...request.headers,
      };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
      }

      const isLastAttempt = attempt >= maxAttempts;
      let response: HttpResponse;
      try {
        response = await sendHttpRequest(
          {
            method: request.method,
            url: request.url,
            headers,
            body,
            timeoutMs: request.timeoutMs ?? this.policy.REQUEST_TIMEOUT_MS,
            signal: request.signal,
            sentRequestId,
          },
          this.agents,
        );
      } catch (error) {
        const retryable = isOpenStackError(error, OPENSTACK_ERROR_CODES.OS_CONNECTION);
        if (!retryable || isLastAttempt) {
          throw error;
        }
        await sleep(backoffDelayMs(this.policy, attempt, this.random), request.signal);
        continue;
      }

      const result: TransportResponse = {
        ...response,
        method: request.method,
        url: request.url.href,
        requestId: responseRequestId(response.headers),
        sentRequestId,
        attempts: attempt,
      };
      if (!isRetryableStatus(response.status) || isLastAttempt) {
        return result;
      }

      const delayMs = this.retryDelayMs(response, attempt);
      if (delayMs === undefined) {
        return result;
      }
      await sleep(delayMs, request.signal);
    }
  }

  /** Returns the wait before the next attempt, or undefined when `Retry-After` exceeds MAX_RETRY_AFTER_MS. */
  private retryDelayMs(response: HttpResponse, attempt: number): number | undefined {
    const retryAfterSeconds = parseRetryAfterSeconds(response.headers['retry-after']);
    if (retryAfterSeconds === undefined) {
      return backoffDelayMs(this.policy, attempt, this.random);
    }

    const retryAfterMs = retryAfterSeconds * 1000;
    if (retryAfterMs > this.policy.MAX_RETRY_AFTER_MS) {
      return undefined;
    }
    return retryAfterMs;
  }

  close(): void {
    destroyHttpAgents(this.agents);
  }
}
