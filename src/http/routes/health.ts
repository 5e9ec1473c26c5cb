import type { FastifyInstance } from 'fastify';

/** A named dependency check for /readyz; it throws or returns false when the dependency is down. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export async function healthRoutes(app: FastifyInstance, options: { checks: ReadinessCheck[] }): Promise<void> {
  app.get('/healthz', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' }, schema: { tags: ['health'], summary: 'Dependencies are reachable' } }, async (request, reply) => {
    const results: Record<string, 'ok' | 'failed'> = {};

    for (const dependency of options.checks) {
      try {
        results[dependency.name] = (await dependency.check()) ? 'ok' : 'failed';
      } catch (error) {
        request.log.warn({ err: error, dependency: dependency.name }, 'readiness check failed');
        results[dependency.name] = 'failed';
      }
    }

    const ready = Object.values(results).every((result) => result === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  });
}
