import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** One cloud entry of an openstacksdk clouds.yaml (password auth only). */
export interface CloudConfig {
  auth: {
    auth_url: string;
    username: string;
    password: string;
    project_name: string;
    user_domain_name?: string;
    project_domain_name?: string;
  };
  region_name?: string;
  interface?: string;
}

export function readCloud(path: string, name: string): CloudConfig {
  const document = parse(readFileSync(path, 'utf8')) as { clouds?: Record<string, CloudConfig> };
  const cloud = document.clouds?.[name];
  if (!cloud) throw new Error(`cloud "${name}" not found in ${path}; it has: ${Object.keys(document.clouds ?? {}).join(', ')}`);
  return cloud;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the raw text ('' when empty). */
  body: unknown;
  text: string;
}

/** Sends one request with a 30 s timeout and reads the whole body. */
export async function call(method: string, url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  if (!url.startsWith('http://127.0.0.1') && !url.startsWith('http://localhost')) {
    throw new Error(`contract tests only talk to 127.0.0.1; refusing ${url}`);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, options.headers);
  if (options.token) headers['x-auth-token'] = options.token;
  const response = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body, text };
}

/** A project-scoped token with the public endpoints of its catalog. */
export interface Session {
  token: string;
  projectId: string;
  userId: string;
  authUrl: string;
  compute: string;
  image: string;
  network: string;
  volume: string | undefined;
}

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region_id?: string; region?: string; url: string }[];
}

export function passwordAuthBody(cloud: CloudConfig) {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: cloud.auth.username, domain: { name: cloud.auth.user_domain_name ?? 'Default' }, password: cloud.auth.password } },
      },
      scope: { project: { name: cloud.auth.project_name, domain: { name: cloud.auth.project_domain_name ?? 'Default' } } },
    },
  };
}

export async function login(cloud: CloudConfig): Promise<Session> {
  const authUrl = cloud.auth.auth_url.replace(/\/$/, '');
  const result = await call('POST', `${authUrl}/auth/tokens`, { body: passwordAuthBody(cloud) });
  if (result.status !== 201) throw new Error(`login as ${cloud.auth.username} failed: ${result.status} ${result.text}`);
  const token = result.headers.get('x-subject-token');
  const body = result.body as { token: { project: { id: string }; user: { id: string }; catalog: CatalogEntry[] } };
  if (!token) throw new Error('login answered 201 without X-Subject-Token');
  const wanted = cloud.interface ?? 'public';
  const endpoint = (type: string): string | undefined => {
    const service = body.token.catalog.find((c) => c.type === type);
    const found = service?.endpoints.find((e) => e.interface === wanted && (!cloud.region_name || (e.region_id ?? e.region) === cloud.region_name));
    return found?.url.replace(/\/$/, '');
  };
  const need = (type: string): string => {
    const url = endpoint(type);
    if (!url) throw new Error(`catalog has no ${wanted} ${type} endpoint`);
    return url;
  };
  return {
    token,
    projectId: body.token.project.id,
    userId: body.token.user.id,
    authUrl,
    compute: need('compute'),
    image: need('image'),
    network: need('network'),
    volume: endpoint('block-storage') ?? endpoint('volumev3'),
  };
}
