/** A response of the portal's HTTP API that had an unexpected status. */
export class PortalApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(method: string, path: string, status: number, body: unknown) {
    super(`${method} ${path} returned ${status}: ${JSON.stringify(body)}`);
    this.name = 'PortalApiError';
    this.status = status;
    this.body = body;
  }
}

type Credentials = { kind: 'session'; cookie: string; csrfToken: string } | { kind: 'token'; token: string };

const SESSION_COOKIE = 'tp_session';

function sessionCookieOf(response: Response): string {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    if (pair?.startsWith(`${SESSION_COOKIE}=`)) return pair;
  }
  throw new Error(`login returned no ${SESSION_COOKIE} cookie`);
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * One signed-in user of the portal's API: a browser-like session (cookie plus X-CSRF-Token on
 * changes) or a script's API token (Bearer), as README.md describes both.
 */
export class PortalUser {
  readonly baseUrl: string;
  readonly #credentials: Credentials;

  private constructor(baseUrl: string, credentials: Credentials) {
    this.baseUrl = baseUrl;
    this.#credentials = credentials;
  }

  /** Logs in with username and password and keeps the session cookie and CSRF token. */
  static async login(baseUrl: string, username: string, password: string): Promise<PortalUser> {
    const path = '/api/v1/auth/login';
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = await bodyOf(response);
    if (response.status !== 200) throw new PortalApiError('POST', path, response.status, body);

    const csrfToken = (body as { csrfToken?: unknown }).csrfToken;
    if (typeof csrfToken !== 'string') throw new Error(`login of ${username} returned no csrfToken`);
    return new PortalUser(baseUrl, { kind: 'session', cookie: sessionCookieOf(response), csrfToken });
  }

  /** Creates a personal API token with this session and returns a user that sends it as Bearer. */
  async withApiToken(name: string): Promise<PortalUser> {
    const created = await this.request<{ token: string }>('POST', '/api/v1/auth/tokens', { name, expiresInDays: 1 }, 201);
    return new PortalUser(this.baseUrl, { kind: 'token', token: created.token });
  }

  /** Sends one request and returns its status and parsed body, whatever the status. */
  async send(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#credentials.kind === 'token') {
      headers['authorization'] = `Bearer ${this.#credentials.token}`;
    } else {
      headers['cookie'] = this.#credentials.cookie;
      if (method !== 'GET') headers['x-csrf-token'] = this.#credentials.csrfToken;
    }

    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: await bodyOf(response) };
  }

  /** Sends one request and returns its body; throws PortalApiError unless the status is `expected`. */
  async request<T>(method: string, path: string, body: unknown = undefined, expected = 200): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status !== expected) throw new PortalApiError(method, path, response.status, response.body);
    return response.body as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
}
