// The simulator uses Fastify rather than node:http because the portal already depends on it and
// it gives three things the simulator needs. Its radix-tree router serves the ~60 OpenStack routes
// under one port. Its request hooks apply auth, faults and latency in one place for every service.
// And `app.inject()` lets unit tests call the API in-process without opening a socket.
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from './clock.ts';
import type { FaultInjector } from './faults.ts';
import { registerAdmin } from './routes/admin.ts';
import { registerCompute } from './routes/compute.ts';
import type { RouteDeps } from './routes/context.ts';
import { cinderError, glanceError, keystoneError, MALFORMED, neutronError, novaError } from './routes/context.ts';
import { registerImage } from './routes/image.ts';
import { registerKeystone } from './routes/keystone.ts';
import { registerNetwork } from './routes/network.ts';
import { registerVolume } from './routes/volume.ts';
import type { SimStore } from './state/store.ts';

export interface BuildAppOptions {
  store: SimStore;
  faults: FaultInjector;
  clock: Clock;
  adminSecret: string;
  baseUrl(): string;
  logger?: FastifyBaseLogger | boolean;
}

/** Sends an error in the envelope of the service that owns the path. */
export function sendServiceError(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  const path = request.url;
  if (path.startsWith('/compute')) return novaError(reply, status, message);
  if (path.startsWith('/network')) return neutronError(reply, status, message);
  if (path.startsWith('/image')) return glanceError(request, reply, status, message);
  if (path.startsWith('/volume')) return cinderError(reply, status, message);
  return keystoneError(reply, status, message);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds the Fastify app with every simulated service mounted under its path prefix. */
export function buildSimulatorApp(options: BuildAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    // Clients call both `/compute/v2.1` and `/compute/v2.1/`; path parameters (ids) stay short.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });

  // OpenStack clients send JSON bodies with or without a content type, and empty bodies on
  // DELETE. Parse leniently and let each route reject malformed JSON in its service's shape.
  app.removeAllContentTypeParsers();
  // Glance image data arrives as application/octet-stream and stays binary.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: 1024 * 1024 * 1024 }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, MALFORMED);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_sim')) return undefined;
    const path = request.url.split('?')[0] ?? '';
    const fault = options.faults.forRequest(request.method, path);
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.error) {
      request.log.info({ path, status: fault.error.status }, 'simulator injected an error');
      return sendServiceError(request, reply, fault.error.status, fault.error.message);
    }
    options.store.settle();
    return undefined;
  });

  const deps: RouteDeps = { store: options.store, baseUrl: options.baseUrl };
  registerKeystone(app, deps);
  registerCompute(app, deps);
  registerImage(app, deps);
  registerNetwork(app, deps);
  registerVolume(app, deps);
  registerAdmin(app, { store: options.store, faults: options.faults, clock: options.clock, adminSecret: options.adminSecret });

  app.get('/', async () => ({
    name: 'tenant-portal OpenStack simulator',
    identity: `${options.baseUrl()}/identity/v3`,
    services: ['/identity', '/compute', '/image', '/network', '/volume'],
  }));

  app.setNotFoundHandler((request, reply) => {
    // Nova's and Glance's routers return webob's HTML page for an unknown path, Neutron and Keystone return JSON.
    if (request.url.startsWith('/compute')) return glanceError(request, reply, 404, 'The resource could not be found.');
    return sendServiceError(request, reply, 404, 'The resource could not be found.');
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error, url: request.url }, 'simulator route failed');
    return sendServiceError(request, reply, status, status === 500 ? 'Unexpected error in the simulator.' : error.message);
  });
  return app;
}
