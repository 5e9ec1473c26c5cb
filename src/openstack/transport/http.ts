import http from 'node:http';
import https from 'node:https';

import { OPENSTACK_ERROR_CODES, OpenStackError } from '../errors.ts';

/**
 * TLS settings from clouds.yaml. Node's global fetch cannot take a custom CA without undici's
 * dispatcher, so the transport uses node:http and node:https with an agent per client. Nothing
 * here changes process-wide TLS settings.
 */
export interface TlsOptions {
  /** PEM text of the CA bundle from `cacert`; replaces Node's default CA list for this client. */
  ca?: string;
  /** False for `verify: false` or `OS_INSECURE`: the certificate is not checked, for this client only. */
  rejectUnauthorized: boolean;
}

export interface HttpAttempt {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Request id sent in `X-OpenStack-Request-ID`, copied into errors. */
  sentRequestId?: string;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  bodyText: string;
}

/** Agents shared by the requests of one client, so connections are reused. */
export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export function createHttpAgents(tls: TlsOptions): HttpAgents {
  return {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized }),
  };
}

export function destroyHttpAgents(agents: HttpAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) {
      continue;
    }
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function transportError(
  code: typeof OPENSTACK_ERROR_CODES.OS_TIMEOUT | typeof OPENSTACK_ERROR_CODES.OS_CONNECTION | typeof OPENSTACK_ERROR_CODES.OS_ABORTED,
  attempt: HttpAttempt,
  message: string,
  cause?: unknown,
): OpenStackError {
  return new OpenStackError({
    code,
    message: `${attempt.method} ${attempt.url.href} ${message}`,
    method: attempt.method,
    url: attempt.url.href,
    sentRequestId: attempt.sentRequestId,
    cause,
  });
}

/**
 * Sends one HTTP request and reads the whole response body as text. Rejects with OS_TIMEOUT when
 * no complete response arrives within `timeoutMs`, OS_ABORTED when `signal` fires, and
 * OS_CONNECTION for socket and TLS failures. Non-2xx statuses resolve normally.
 */
export function sendHttpRequest(attempt: HttpAttempt, agents: HttpAgents): Promise<HttpResponse> {
  if (attempt.signal?.aborted === true) {
    return Promise.reject(transportError(OPENSTACK_ERROR_CODES.OS_ABORTED, attempt, 'was aborted', attempt.signal.reason));
  }

  const isHttps = attempt.url.protocol === 'https:';
  const requestFunction = isHttps ? https.request : http.request;
  const headers: Record<string, string> = { ...attempt.headers };
  if (attempt.body !== undefined) {
    headers['Content-Length'] = String(Buffer.byteLength(attempt.body));
  }

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const request = requestFunction(attempt.url, {
      method: attempt.method,
      headers,
      agent: isHttps ? agents.https : agents.http,
    });

    const finish = (error: OpenStackError | undefined, response?: HttpResponse): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      attempt.signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        request.destroy();
        reject(error);
        return;
      }
      resolve(response as HttpResponse);
    };

    const onAbort = (): void => {
      finish(transportError(OPENSTACK_ERROR_CODES.OS_ABORTED, attempt, 'was aborted', attempt.signal?.reason));
    };

    const timer = setTimeout(() => {
      finish(transportError(OPENSTACK_ERROR_CODES.OS_TIMEOUT, attempt, `timed out after ${attempt.timeoutMs} ms`));
    }, attempt.timeoutMs);

    attempt.signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === undefined ? error.message : `${error.code} ${error.message}`;
      finish(transportError(OPENSTACK_ERROR_CODES.OS_CONNECTION, attempt, `failed: ${reason}`, error));
    });

    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let receivedBytes = 0;

      response.on('data', (chunk: Buffer) => {
        receivedBytes += chunk.length;
        if (receivedBytes > MAX_RESPONSE_BYTES) {
          finish(transportError(OPENSTACK_ERROR_CODES.OS_CONNECTION, attempt, `response exceeded ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });

      response.on('error', (error: Error) => {
        finish(transportError(OPENSTACK_ERROR_CODES.OS_CONNECTION, attempt, `failed while reading the response: ${error.message}`, error));
      });

      response.on('close', () => {
        if (!response.complete) {
          finish(transportError(OPENSTACK_ERROR_CODES.OS_CONNECTION, attempt, 'failed: the connection closed before the response was complete'));
        }
      });

      response.on('end', () => {
        finish(undefined, {
          status: response.statusCode ?? 0,
          headers: flattenHeaders(response.headers),
          bodyText: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });

    request.end(attempt.body);
  });
}
