import Fastify, { type FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { jobMetricsRegistry } from './job-metrics.ts';

/**
 * Starts the HTTP listener of a separate `worker` process: GET /metrics with the job metrics and
 * the process metrics, and GET /healthz. Job metrics live in the process that runs the jobs, so
 * without this listener Prometheus gets no job metrics from a worker that runs apart from `serve`.
 */
export async function startWorkerMetricsServer(options: { host: string; port: number }): Promise<FastifyInstance> {
  const processMetrics = new Registry();
  collectDefaultMetrics({ register: processMetrics, prefix: 'tenant_portal_worker_' });

  const app = Fastify({ logger: false });
  app.get('/metrics', async (_request, reply) => {
    reply.type(processMetrics.contentType);
    return Registry.merge([processMetrics, jobMetricsRegistry]).metrics();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));

  await app.listen({ host: options.host, port: options.port });
  return app;
}
