import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { negotiateLocale } from '../errors/locale.ts';
import { PortalError } from '../errors/portal-error.ts';
import { fillTemplate, PROBLEMS } from '../errors/problem-catalogue.ts';
import { localizeProblemParams } from '../errors/problem-params.ts';
import { toFieldErrors } from './validation-messages.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Maps Fastify's own errors (parsing, limits, validation) to catalogued ones. */
export function toPortalError(error: FastifyError | Error, request: FastifyRequest, bodyLimitBytes: number): PortalError {
  if (error instanceof PortalError) return error;

  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const fieldErrors = toFieldErrors(fastifyError.validation, fastifyError.validationContext);
    return new PortalError('VALIDATION_FAILED', { count: fieldErrors.length }, { fieldErrors });
  }

  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PortalError('BODY_TOO_LARGE', { limit: bodyLimitBytes });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new PortalError('UNSUPPORTED_MEDIA_TYPE', { contentType: request.headers['content-type'] ?? '(none)' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new PortalError('BODY_MALFORMED', {}, { cause: error });
    default:
      break;
  }

  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new PortalError('BODY_MALFORMED', {}, { cause: error });
  }
  if (fastifyError.statusCode === 415) {
    return new PortalError('UNSUPPORTED_MEDIA_TYPE', { contentType: request.headers['content-type'] ?? '(none)' });
  }
  return new PortalError('INTERNAL', { requestId: request.id }, { cause: error });
}

/** Sends a PortalError as application/problem+json in the request's language. */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: PortalError): FastifyReply {
  const definition = PROBLEMS[error.code];
  const locale = negotiateLocale(request.headers['accept-language']);
  const params = error.code === 'INTERNAL' ? { requestId: request.id } : localizeProblemParams(error.code, error.params, locale);

  const body: Record<string, unknown> = {
    type: `about:blank`,
    code: error.code,
    status: definition.status,
    title: definition.title[locale],
    detail: fillTemplate(definition.detail[locale], params),
    instance: request.url,
    requestId: request.id,
  };
  if (error.fieldErrors.length > 0) {
    body.errors = error.fieldErrors.map((field) => ({ field: field.field, code: field.code, message: field.message[locale] }));
  }

  for (const [name, value] of Object.entries(error.headers)) {
    reply.header(name, value);
  }
  return reply.status(definition.status).header('content-language', locale).type(PROBLEM_CONTENT_TYPE).send(body);
}
