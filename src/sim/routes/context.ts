import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimStore } from '../state/store.ts';
import type { Project, Token, User } from '../state/types.ts';

/** Identity of the caller, resolved from `X-Auth-Token` by the auth hook. */
export interface CallerContext {
  token: Token;
  user: User;
  project: Project;
  roles: string[];
  isAdmin: boolean;
  requestId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: CallerContext;
    /** Nova microversion chosen for this request, as [major, minor]. */
    microversion?: [number, number];
  }
}

/** Shared by all route modules: the store and the simulator's public base URL. */
export interface RouteDeps {
  store: SimStore;
  /** For example `http://127.0.0.1:8000`; read lazily because the port is known only after listen. */
  baseUrl(): string;
}

export function caller(request: FastifyRequest): CallerContext {
  if (!request.caller) throw new Error('route registered without the auth hook');
  return request.caller;
}

/** Body parsed by the lenient JSON parser, or MALFORMED when it was not valid JSON. */
export const MALFORMED = Symbol('malformed JSON body');

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sends keystonemiddleware's 401 response for a missing, invalid, revoked or expired token. */
export function sendUnauthorized(reply: FastifyReply, authUrl: string): FastifyReply {
  return reply
    .code(401)
    .header('WWW-Authenticate', `Keystone uri="${authUrl}"`)
    .send({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
}

const novaFaultNames: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  406: 'notAcceptable',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  500: 'computeFault',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

/** Nova's fault body: `{"itemNotFound": {"code": 404, "message": "..."}}`. */
export function novaError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ [novaFaultNames[status] ?? 'computeFault']: { code: status, message } });
}

const neutronTypes: Record<number, string> = {
  400: 'HTTPBadRequest',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  409: 'HTTPConflict',
  500: 'HTTPInternalServerError',
  503: 'HTTPServiceUnavailable',
};

/** Neutron's error body: `{"NeutronError": {"type", "message", "detail"}}`. */
export function neutronError(reply: FastifyReply, status: number, message: string, type?: string): FastifyReply {
  return reply.code(status).send({ NeutronError: { type: type ?? neutronTypes[status] ?? 'HTTPError', message, detail: '' } });
}

const statusTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return statusTitles[status] ?? 'Error';
}

/**
 * Sends Glance's (webob's) error response: an HTML page unless the client accepts JSON. The JSON
 * form keeps the HTML line breaks in `message`, and `code` is a string such as "404 Not Found".
 */
export function glanceError(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  const title = statusTitle(status);
  const accept = request.headers.accept ?? '';
  if (accept.includes('application/json')) {
    return reply.code(status).send({ message: `${message}<br /><br />\n\n\n`, code: `${status} ${title}`, title });
  }
  return reply
    .code(status)
    .type('text/html; charset=UTF-8')
    .send(`<html>\n <head>\n  <title>${status} ${title}</title>\n </head>\n <body>\n  <h1>${status} ${title}</h1>\n  ${message}<br /><br />\n\n\n\n </body>\n</html>`);
}

/** Keystone's error body: `{"error": {"code", "message", "title"}}`. */
export function keystoneError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ error: { code: status, message, title: statusTitle(status) } });
}

/** Cinder's fault body, shaped like Nova's: `{"itemNotFound": {"code": 404, "message": "..."}}`. */
export function cinderError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return novaError(reply, status, message);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Reads one query parameter as a string (the first, when repeated). */
export function queryString(query: unknown, name: string): string | undefined {
  if (!isObject(query)) return undefined;
  const value = query[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Reads a query parameter that may repeat, as a list. */
export function queryList(query: unknown, name: string): string[] {
  if (!isObject(query)) return [];
  const value = query[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
