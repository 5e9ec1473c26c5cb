import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { PortalConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { PortalError } from '../errors/portal-error.ts';
import type { Keyring } from '../services/crypto/index.ts';
import { authenticationPlugin } from './plugins/authentication.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { requestLogPlugin } from './plugins/request-log.ts';
import { sendProblem, toPortalError } from './problem-response.ts';
import { requestIdFor } from './request-id.ts';
import { adminAuditLogRoutes } from './routes/admin-audit-log.ts';
import { adminBillingRecordRoutes } from './routes/admin-billing-records.ts';
import { adminContactRoutes } from './routes/admin-contacts.ts';
import { adminJobRoutes } from './routes/admin-jobs.ts';
import { adminOrderRoutes } from './routes/admin-orders.ts';
import { adminOrphanRoutes } from './routes/admin-orphans.ts';
import { adminSystemRoutes } from './routes/admin-systems.ts';
import { adminTenantContactRoutes } from './routes/admin-tenant-contacts.ts';
import { adminTenantRoutes } from './routes/admin-tenants.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { apiTokenRoutes } from './routes/api-tokens.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health.ts';
import { tenantAdjustmentRoutes } from './routes/tenant-adjustments.ts';
import { tenantBillingRecordRoutes } from './routes/tenant-billing-records.ts';
import { tenantOrderRoutes } from './routes/tenant-orders.ts';
import { tenantProfileRoutes } from './routes/tenant-profile.ts';
import { tenantSystemRoutes } from './routes/tenant-systems.ts';
import { tenantUserRoutes } from './routes/tenant-users.ts';
import { ProblemSchema } from './schemas.ts';
import { vmApi } from './routes/vms.ts';
import { sharedCloudClients, type CloudClients } from '../services/cloud/cloud-clients.ts';
import type { JobQueue } from '../services/vms/context.ts';

export interface AppDependencies {
  config: PortalConfig;
  database: Database;
  logger: Logger;
  keyring: Keyring;
  readinessChecks: ReadinessCheck[];
  /** OpenStack clients per tenant project; the process-wide cache when omitted. */
  clouds?: CloudClients;
  /** Queue for operation-watch jobs (pg-boss); without one, accepted VM actions are not followed. */
  queue?: JobQueue | null;
  /** Cache lifetime of the flavor, image and network lists in milliseconds; default 60 s. */
  catalogTtlMs?: number;
}

/** Builds the HTTP app without listening; `serve` listens, tests call `inject()`. */
export async function buildApp(deps: AppDependencies) {
  const { config, database, logger } = deps;

  const app = Fastify({
    loggerInstance: logger,
    // Per-request lines come from the request-log plugin alone, one line per request.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdFor,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    ajv: {
      // Unknown fields are rejected rather than silently dropped, so a typo is reported.
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true },
    },
  });

  // Only JSON bodies are accepted; Fastify's text/plain parser would let other content through.
  app.removeContentTypeParser('text/plain');

  // Many HTTP clients send `content-type: application/json` with an empty body on a POST that
  // takes none (reveal, logout). An empty body counts as no body; routes that need one still
  // reject it by schema. Everything else goes through Fastify's own JSON parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body.toString(), done);
  });

  app.addSchema(ProblemSchema);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);

    // API responses carry session tokens, API tokens and revealed personal data, so no cache may store them.
    if (request.url.startsWith('/api/v1/')) reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((error, request, reply) => {
    const portalError = toPortalError(error as Error, request, config.bodyLimitBytes);
    if (portalError.code === 'INTERNAL') {
      request.log.error({ err: error, body: request.body }, 'unhandled error');
    }
    return sendProblem(reply, request, portalError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new PortalError('ROUTE_NOT_FOUND', { method: request.method, path: request.url.split('?')[0] ?? '' })),
  );

  // The API documentation is public: it describes routes, and every route still checks its caller.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) route.config = { ...route.config, access: 'public' };
  });

  // HSTS and upgrade-insecure-requests only make sense behind TLS, which COOKIE_SECURE signals.
  // Sent over plain HTTP (the demo on 127.0.0.1), they would pin the browser to HTTPS there.
  const behindTls = config.session.cookieSecure;
  await app.register(helmet, {
    global: true,
    hsts: behindTls,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: behindTls ? [] : null } },
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tenant Portal API', version: '1', description: '租户门户 API. Errors are application/problem+json with a stable `code`.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'tp_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await app.register(requestLogPlugin);
  await app.register(metricsPlugin);
  await app.register(authenticationPlugin, { db: database.db, config });

  await app.register(healthRoutes, { checks: deps.readinessChecks });
  await app.register(authRoutes, { db: database.db, config });
  await app.register(apiTokenRoutes, { db: database.db });
  await app.register(adminContactRoutes, { db: database.db, keyring: deps.keyring });
  await app.register(tenantProfileRoutes, { db: database.db });
  await app.register(tenantSystemRoutes, { db: database.db });
  await app.register(tenantOrderRoutes, { db: database.db });
  await app.register(tenantAdjustmentRoutes, { db: database.db });
  await app.register(tenantBillingRecordRoutes, { db: database.db });
  await app.register(tenantUserRoutes, { db: database.db });
  await app.register(adminTenantRoutes, { db: database.db, clouds: deps.clouds ?? sharedCloudClients() });
  await app.register(adminTenantContactRoutes, { db: database.db, keyring: deps.keyring });
  await app.register(adminUserRoutes, { db: database.db });
  await app.register(adminSystemRoutes, { db: database.db });
  await app.register(adminOrderRoutes, { db: database.db });
  await app.register(adminJobRoutes, { db: database.db });
  await app.register(adminOrphanRoutes, { db: database.db });
  await app.register(adminBillingRecordRoutes, { db: database.db });
  await app.register(adminAuditLogRoutes, { db: database.db });
  await app.register(vmApi, { config, database, clouds: deps.clouds ?? sharedCloudClients(), queue: deps.queue ?? null, ...(deps.catalogTtlMs === undefined ? {} : { catalogTtlMs: deps.catalogTtlMs }) });

  return app;
}

export type PortalApp = Awaited<ReturnType<typeof buildApp>>;
