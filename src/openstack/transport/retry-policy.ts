/**
 * Timeouts and retries of every request the client sends. All defaults are in this one block.
 * Only idempotent requests (GET, HEAD, PUT, DELETE, or a POST the caller marks idempotent) are
 * retried, and only after a 5xx, a 429, or a connection failure.
 */
export interface RetryPolicy {
  /** Attempts per request including the first, so 1 disables retries. */
  maxAttempts: number;
  /** Upper bound of the first backoff delay; attempt n waits up to BASE_DELAY_MS * 2^(n-1). */
  BASE_DELAY_MS: number;
  /** Cap on one backoff delay. */
  MAX_DELAY_MS: number;
  /** Cap on a wait asked for by `Retry-After`; a longer wait ends the retries instead. */
  MAX_RETRY_AFTER_MS: number;
  /** Per-attempt timeout, from sending the request to the end of the response body. */
  REQUEST_TIMEOUT_MS: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  BASE_DELAY_MS: 500,
  MAX_DELAY_MS: 8_000,
  MAX_RETRY_AFTER_MS: 60_000,
  REQUEST_TIMEOUT_MS: 60_000,
});

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...overrides };
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * Computes the delay before retry number `retry` (1 for the first retry) with "full jitter":
 * a uniform random value between 0 and the exponential bound, so concurrent clients spread out.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exponentialBound = policy.BASE_DELAY_MS * 2 ** (retry - 1);
  const bound = Math.min(policy.MAX_DELAY_MS, exponentialBound);
  return Math.floor(random() * bound);
}

/**
 * Parses `Retry-After` as delay seconds or an HTTP date and returns seconds, at least 0.
 * Returns undefined when the header is missing or invalid.
 */
export function parseRetryAfterSeconds(header: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') {
    return undefined;
  }

  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed);
  }

  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}
