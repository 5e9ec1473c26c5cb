import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Redis } from 'ioredis';
import type { PortalConfig } from '../../config.ts';
import { PortalError } from '../../errors/portal-error.ts';

/** Route classes with their own per-minute budget: reads, VM actions and deletes, VM creates. */
export type RateLimitClass = 'reads' | 'actions' | 'creates';

export type RateLimitHandlers = Record<RateLimitClass, preHandlerAsyncHookHandler>;

const ONE_MINUTE_MS = 60_000;

const DEFAULT_LIMITS = { readsPerMinute: 300, actionsPerMinute: 60, createsPerMinute: 20 };

/**
 * Registers @fastify/rate-limit without a global limit and returns one preHandler per route
 * class. The handlers run after authentication, so the counter is per user; requests without a
 * principal are counted per client address. With REDIS_URL the counters live in Redis and hold
 * across processes; otherwise each process counts on its own.
 */
export async function registerRateLimits(app: FastifyInstance, config: PortalConfig): Promise<RateLimitHandlers> {
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 }) : null;
  if (redis) {
    redis.on('error', (error) => app.log.warn({ err: error }, 'rate-limit Redis connection error'));
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }

  await app.register(rateLimit, { global: false, ...(redis ? { redis, nameSpace: 'tenant-portal-rl:' } : {}) });

  const limits = config.rateLimits ?? DEFAULT_LIMITS;
  return {
    reads: limiterFor(app, 'reads', limits.readsPerMinute),
    actions: limiterFor(app, 'actions', limits.actionsPerMinute),
    creates: limiterFor(app, 'creates', limits.createsPerMinute),
  };
}

function callerKey(routeClass: RateLimitClass, request: FastifyRequest): string {
  const who = request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`;
  return `${routeClass}:${who}`;
}

function limiterFor(app: FastifyInstance, routeClass: RateLimitClass, perMinute: number): preHandlerAsyncHookHandler {
  const check = app.createRateLimit({
    max: perMinute,
    timeWindow: ONE_MINUTE_MS,
    keyGenerator: (request: FastifyRequest) => callerKey(routeClass, request),
  });

  return async function enforceRateLimit(request) {
    const result = await check(request);
    if (result.isAllowed || !result.isExceeded) return;

    const retryAfterSeconds = Math.max(1, result.ttlInSeconds);
    request.log.info({ routeClass, limitPerMinute: perMinute, userId: request.principal?.userId ?? null }, 'rate limit exceeded');
    throw new PortalError('RATE_LIMITED', { retryAfterSeconds }, { headers: { 'retry-after': String(retryAfterSeconds) } });
  };
}
