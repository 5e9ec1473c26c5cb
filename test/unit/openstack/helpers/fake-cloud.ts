import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import type { CloudConfig } from '../../../../src/openstack/index.ts';

const FIXTURE_DIR = path.resolve(import.meta.dirname, '../../../fixtures/openstack');

export interface Fixture {
  name: string;
  request: { method: string; path: string; microversion?: string; body?: unknown };
  response: { status: number; headers: Record<string, string>; body?: unknown; bodyText?: string };
}

/** Reads a captured fixture; `{{origin}}` stays in place until the fake cloud serves it. */
export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Fixture;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  bodyText?: string;
  /** Delay before the response is sent, to test timeouts. */
  delayMs?: number;
  /** Closes the socket without a response, to test connection failures. */
  destroy?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received, e.g. `/compute/v2.1/servers/detail?limit=1`. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface Route {
  method: string;
  /** Exact path without query, or a pattern tested against path and query. */
  path: string | RegExp;
  handler: Handler;
}

export function replyFromFixture(name: string, patch?: (fixture: Fixture) => void): FakeReply {
  const fixture = loadFixture(name);
  patch?.(fixture);
  return { status: fixture.response.status, headers: fixture.response.headers, body: fixture.response.body, bodyText: fixture.response.bodyText };
}

export interface FakeCloud {
  origin: string;
  requests: RecordedRequest[];
  /** Routes are tried in order; tests push their own in front with `routes.unshift`. */
  routes: Route[];
  tokensIssued: number;
  /** Lifetime of tokens the fake Keystone issues. */
  tokenLifetimeMs: number;
  cloud(overrides?: Partial<CloudConfig>): CloudConfig;
  requestsTo(method: string, pathPrefix: string): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 (port 0) that plays Keystone, Nova, Glance, Neutron and
 * Cinder from captured fixtures. Every token issued gets a new value (`fake-token-<n>`) and an
 * expiry of `tokenLifetimeMs` from now, so tests can tell tokens apart and control expiry.
 */
export async function startFakeCloud(): Promise<FakeCloud> {
  const fake: FakeCloud = {
    origin: '',
    requests: [],
    routes: [],
    tokensIssued: 0,
    tokenLifetimeMs: 3600_000,
    cloud: (overrides) => ({
      name: 'fake',
      authType: 'password',
      auth: {
        authUrl: `${fake.origin}/identity/v3`,
        username: 'demo',
        password: 'fixture-password',
        userDomainName: 'Default',
        projectName: 'demo',
        projectDomainName: 'Default',
      },
      regionName: 'RegionOne',
      interface: 'public',
      verify: true,
      ...overrides,
    }),
    requestsTo: (method, pathPrefix) => fake.requests.filter((request) => request.method === method && request.url.startsWith(pathPrefix)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  fake.routes.push(
    {
      method: 'POST',
      path: '/identity/v3/auth/tokens',
      handler: () => {
        fake.tokensIssued += 1;
        return replyFromFixture('identity-token-password', (fixture) => {
          const body = fixture.response.body as { token: { expires_at: string } };
          body.token.expires_at = new Date(Date.now() + fake.tokenLifetimeMs).toISOString();
          fixture.response.headers['x-subject-token'] = `fake-token-${fake.tokensIssued}`;
        });
      },
    },
    { method: 'GET', path: '/compute/v2.1/', handler: () => replyFromFixture('compute-version-document') },
  );

  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const recorded: RecordedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      fake.requests.push(recorded);
      void respond(recorded, outgoing);
    });
  });

  async function respond(recorded: RecordedRequest, outgoing: http.ServerResponse): Promise<void> {
    const pathOnly = recorded.url.split('?')[0] ?? '';
    const route = fake.routes.find(
      (candidate) =>
        candidate.method === recorded.method && (typeof candidate.path === 'string' ? candidate.path === pathOnly : candidate.path.test(recorded.url)),
    );
    const reply: FakeReply =
      route === undefined ? { status: 599, bodyText: `fake cloud has no route for ${recorded.method} ${recorded.url}` } : await route.handler(recorded);

    if (reply.delayMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    }
    if (reply.destroy === true) {
      outgoing.socket?.destroy();
      return;
    }

    const text = reply.bodyText ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    const headers = { ...reply.headers };
    for (const [name, value] of Object.entries(headers)) {
      headers[name] = value.split('{{origin}}').join(fake.origin);
    }
    outgoing.writeHead(reply.status, headers);
    outgoing.end(text.split('{{origin}}').join(fake.origin));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Adds routes that serve a fixture for its own recorded method and path. */
export function serveFixtures(fake: FakeCloud, names: string[]): void {
  for (const name of names) {
    const fixture = loadFixture(name);
    const [pathOnly, query] = fixture.request.path.split('?');
    const pattern = new RegExp(`^${escapeRegExp(pathOnly ?? '')}${query === undefined ? '$' : `\\?${escapeRegExp(query)}$`}`);
    fake.routes.push({ method: fixture.request.method, path: pattern, handler: () => replyFromFixture(name) });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
