import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { OPENSTACK_ERROR_CODES, createOpenStackClient, getServer, listServers, type OpenStackError } from '../../../src/openstack/index.ts';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  isIdempotentMethod,
  parseRetryAfterSeconds,
} from '../../../src/openstack/transport/retry-policy.ts';
import { Transport } from '../../../src/openstack/transport/transport.ts';
import { loadFixture, replyFromFixture, startFakeCloud, type FakeCloud, type FakeReply } from './helpers/fake-cloud.ts';

const FAST_POLICY = { maxAttempts: 3, BASE_DELAY_MS: 10, MAX_DELAY_MS: 20, MAX_RETRY_AFTER_MS: 5_000, REQUEST_TIMEOUT_MS: 2_000 };

let fake: FakeCloud;
let transport: Transport;

/** Serves `replies` in order for `path`, repeating the last one. */
function sequence(method: string, path: string, replies: FakeReply[]): void {
  let index = 0;
  fake.routes.unshift({
    method,
    path,
    handler: () => {
      const reply = replies[Math.min(index, replies.length - 1)] as FakeReply;
      index += 1;
      return reply;
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<OpenStackError> {
  try {
    await promise;
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  fake = await startFakeCloud();
  transport = new Transport({ tls: { rejectUnauthorized: true }, retryPolicy: FAST_POLICY, random: () => 1 });
});

afterEach(async () => {
  transport.close();
  await fake.close();
});

describe('retry policy', () => {
  it('keeps every default in one block', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 4, BASE_DELAY_MS: 500, MAX_DELAY_MS: 8_000, MAX_RETRY_AFTER_MS: 60_000, REQUEST_TIMEOUT_MS: 60_000 });
  });

  it('treats GET, HEAD, PUT and DELETE as idempotent', () => {
    expect(['GET', 'HEAD', 'PUT', 'DELETE'].map(isIdempotentMethod)).toEqual([true, true, true, true]);
    expect(isIdempotentMethod('POST')).toBe(false);
    expect(isIdempotentMethod('PATCH')).toBe(false);
  });

  it('grows backoff exponentially up to the cap with full jitter', () => {
    const policy = { ...DEFAULT_RETRY_POLICY };

    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(policy, retry, () => 0.999999))).toEqual([499, 999, 1999, 3999, 7999, 7999]);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
  });

  it('parses Retry-After seconds and dates', () => {
    const now = Date.parse('2026-12-04T20:00:00Z');

    expect(parseRetryAfterSeconds('7', now)).toBe(7);
    expect(parseRetryAfterSeconds('Fri, 04 Dec 2026 20:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfterSeconds('Fri, 04 Dec 2026 19:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterSeconds('soon', now)).toBeUndefined();
    expect(parseRetryAfterSeconds(undefined, now)).toBeUndefined();
  });
});

describe('transport retries', () => {
  it('retries a GET after 503 and 500', async () => {
    sequence('GET', '/flaky', [{ status: 503 }, { status: 500 }, { status: 200, body: { ok: true } }]);

    const response = await transport.send({ method: 'GET', url: new URL(`${fake.origin}/flaky`) });

    expect(response.status).toBe(200);
    expect(response.attempts).toBe(3);
  });

  it('returns the last 5xx when attempts run out', async () => {
    sequence('GET', '/down', [{ status: 503 }]);

    const response = await transport.send({ method: 'GET', url: new URL(`${fake.origin}/down`) });

    expect(response.status).toBe(503);
    expect(fake.requestsTo('GET', '/down')).toHaveLength(FAST_POLICY.maxAttempts);
  });

  it('never retries a POST', async () => {
    sequence('POST', '/compute/v2.1/servers', [{ status: 503 }, { status: 202, body: {} }]);

    const response = await transport.send({ method: 'POST', url: new URL(`${fake.origin}/compute/v2.1/servers`), json: { server: {} } });

    expect(response.status).toBe(503);
    expect(fake.requestsTo('POST', '/compute/v2.1/servers')).toHaveLength(1);
  });

  it('does not retry 4xx other than 429', async () => {
    sequence('GET', '/missing', [{ status: 404 }, { status: 200 }]);

    const response = await transport.send({ method: 'GET', url: new URL(`${fake.origin}/missing`) });

    expect(response.status).toBe(404);
    expect(fake.requestsTo('GET', '/missing')).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    sequence('GET', '/limited', [{ status: 429, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    const started = Date.now();

    const response = await transport.send({ method: 'GET', url: new URL(`${fake.origin}/limited`) });

    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('stops when Retry-After exceeds the cap', async () => {
    sequence('GET', '/slow-down', [{ status: 429, headers: { 'Retry-After': '3600' } }, { status: 200 }]);

    const response = await transport.send({ method: 'GET', url: new URL(`${fake.origin}/slow-down`) });

    expect(response.status).toBe(429);
    expect(fake.requestsTo('GET', '/slow-down')).toHaveLength(1);
  });

  it('retries a GET after a connection reset', async () => {
    sequence('GET', '/reset', [{ status: 0, destroy: true }, { status: 200, body: {} }]);

    const response = await transport.send({ method: 'GET', url: new URL(`${fake.origin}/reset`) });

    expect(response.status).toBe(200);
    expect(response.attempts).toBe(2);
  });

  it('raises OS_CONNECTION for a POST whose connection resets', async () => {
    sequence('POST', '/reset', [{ status: 0, destroy: true }]);

    const error = await rejection(transport.send({ method: 'POST', url: new URL(`${fake.origin}/reset`), json: {} }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONNECTION);
    expect(fake.requestsTo('POST', '/reset')).toHaveLength(1);
  });

  it('raises OS_CONNECTION when nothing listens', async () => {
    const closed = await startFakeCloud();
    const origin = closed.origin;
    await closed.close();

    const error = await rejection(transport.send({ method: 'GET', url: new URL(`${origin}/x`) }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONNECTION);
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('transport timeouts and cancellation', () => {
  it('raises OS_TIMEOUT after the per-request timeout', async () => {
    sequence('POST', '/slow', [{ status: 200, delayMs: 500 }]);

    const error = await rejection(transport.send({ method: 'POST', url: new URL(`${fake.origin}/slow`), timeoutMs: 100 }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_TIMEOUT);
    expect(error.message).toContain('timed out after 100 ms');
    expect(error.sentRequestId).toMatch(/^req-/);
  });

  it('raises OS_ABORTED when the signal fires', async () => {
    sequence('GET', '/slow', [{ status: 200, delayMs: 500 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await rejection(transport.send({ method: 'GET', url: new URL(`${fake.origin}/slow`), signal: controller.signal }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_ABORTED);
  });

  it('aborts the backoff sleep between retries', async () => {
    const slowRetries = new Transport({ tls: { rejectUnauthorized: true }, retryPolicy: { ...FAST_POLICY, BASE_DELAY_MS: 5_000, MAX_DELAY_MS: 5_000 }, random: () => 1 });
    sequence('GET', '/down', [{ status: 503 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    const error = await rejection(slowRetries.send({ method: 'GET', url: new URL(`${fake.origin}/down`), signal: controller.signal }));
    slowRetries.close();

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_ABORTED);
  });
});

describe('request ids', () => {
  it('sends a fresh X-OpenStack-Request-ID per attempt', async () => {
    sequence('GET', '/flaky', [{ status: 503 }, { status: 200 }]);

    await transport.send({ method: 'GET', url: new URL(`${fake.origin}/flaky`) });
    const ids = fake.requestsTo('GET', '/flaky').map((request) => request.headers['x-openstack-request-id']);

    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ids[1]).not.toBe(ids[0]);
  });

  it('copies the response request id, method, URL and status into errors', async () => {
    const client = createOpenStackClient(fake.cloud());
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/servers/00000000-0000-0000-0000-000000000000', handler: () => replyFromFixture('compute-server-not-found-404') });

    const error = await rejection(getServer(client, '00000000-0000-0000-0000-000000000000'));
    client.close();

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
    expect(error.status).toBe(404);
    expect(error.method).toBe('GET');
    expect(error.url).toBe(`${fake.origin}/compute/v2.1/servers/00000000-0000-0000-0000-000000000000`);
    expect(error.requestId).toBe(loadFixture('compute-server-not-found-404').response.headers['x-openstack-request-id']);
    expect(error.requestId).not.toBe(error.sentRequestId);
    expect(error.openstackMessage).toBe('Instance 00000000-0000-0000-0000-000000000000 could not be found.');
  });
});

describe('client error mapping after retries', () => {
  it('raises OS_OVER_LIMIT with Retry-After once retries run out', async () => {
    const client = createOpenStackClient(fake.cloud(), { retryPolicy: { ...FAST_POLICY, maxAttempts: 2 } });
    fake.routes.unshift({
      method: 'GET',
      path: '/compute/v2.1/servers/detail',
      handler: () => ({ status: 429, headers: { 'Retry-After': '0', 'Content-Type': 'application/json' }, body: { overLimit: { code: 429, message: 'Too many requests' } } }),
    });

    const error = await rejection(listServers(client));
    client.close();

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_OVER_LIMIT);
    expect(error.retryAfterSeconds).toBe(0);
    expect(fake.requestsTo('GET', '/compute/v2.1/servers/detail')).toHaveLength(2);
  });

  it('applies api_timeout from the cloud', async () => {
    const client = createOpenStackClient(fake.cloud({ apiTimeoutMs: 100 }), { retryPolicy: { maxAttempts: 1 } });
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/servers/detail', handler: () => ({ status: 200, body: { servers: [] }, delayMs: 500 }) });

    const error = await rejection(listServers(client));
    client.close();

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_TIMEOUT);
    expect(error.method).toBe('GET');
  });

  it('uses the internal endpoint when configured', async () => {
    const client = createOpenStackClient(fake.cloud({ interface: 'internal' }));

    const endpoint = await client.endpoint('block-storage');
    client.close();

    expect(endpoint).toMatch(new RegExp(`^${fake.origin}/volume/v3/[0-9a-f]{32}$`));
  });
});

