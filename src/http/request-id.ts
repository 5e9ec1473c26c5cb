import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// An incoming X-Request-Id that looks like an id is kept, so a load balancer's id follows the
// request into the logs. Anything else is replaced, so a client cannot inject text into log lines.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  if (typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}
