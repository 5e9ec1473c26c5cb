import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Logs one line per finished request, at a level chosen by outcome: 5xx error, 4xx info, the rest
 * debug. Fastify's own per-request lines are turned off, so this is the only request log.
 */
export const requestLogPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const fields = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status,
      durationMs: Math.round(reply.elapsedTime),
      userId: request.principal?.userId,
      tenantId: request.principal?.tenantId ?? undefined,
    };

    if (status >= 500) request.log.error(fields, 'request failed');
    else if (status >= 400) request.log.info(fields, 'request rejected');
    else request.log.debug(fields, 'request completed');
  });
});
