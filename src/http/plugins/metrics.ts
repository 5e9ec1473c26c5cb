import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { jobMetricsRegistry } from '../../jobs/job-metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/** Serves Prometheus metrics at /metrics from a registry owned by this app instance. */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tenant_portal_' });

  const requests = new Counter({
    name: 'tenant_portal_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tenant_portal_http_request_duration_seconds',
    help: 'HTTP request duration in seconds by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.decorate('metrics', registry);

  app.addHook('onResponse', async (request, reply) => {
    // Route patterns, not raw URLs, keep label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true }, config: { access: 'public' } }, async (_request, reply) => {
    reply.type(registry.contentType);
    // Job run metrics live in their own module-level registry, shared by every app in the process.
    return Registry.merge([registry, jobMetricsRegistry]).metrics();
  });
});
