import type { Simulator, SimulatorOptions } from '../../../src/sim/index.ts';
import { createSimulator, ManualClock } from '../../../src/sim/index.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: unknown;
  text: string;
}

/** A simulator driven through `app.inject()` (no socket) on a manual clock. */
export interface TestSim {
  sim: Simulator;
  clock: ManualClock;
  request(method: string, url: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply>;
  login(user?: string, password?: string, project?: string): Promise<string>;
  /** Ids of the demo project's own network and the smallest flavor and an active image. */
  refs(token: string): Promise<{ networkId: string; flavorId: string; imageId: string }>;
  createServer(token: string, name?: string, extra?: Record<string, unknown>): Promise<string>;
  server(token: string, id: string, version?: string): Promise<Record<string, unknown> | null>;
  admin(method: string, url: string, body?: unknown): Promise<Reply>;
}

export const SECRET = 'unit-test-secret';

export function createTestSim(options: SimulatorOptions = {}): TestSim {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock('2026-06-01T00:00:00Z');
  const sim = createSimulator({ seed: 7, adminSecret: SECRET, publicUrl: 'http://127.0.0.1:9999', ...options, clock });
  const request: TestSim['request'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['x-auth-token'] = opts.token;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const response = await sim.app.inject({ method: method as 'GET', url, headers, payload: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    let body: unknown = response.body;
    if ((response.headers['content-type'] ?? '').toString().includes('json') && response.body !== '') body = JSON.parse(response.body);
    return { status: response.statusCode, headers: response.headers, body, text: response.body };
  };
  const login: TestSim['login'] = async (user = 'demo', password, project) => {
    const config = sim.users.find((u) => u.name === user);
    const result = await request('POST', '/identity/v3/auth/tokens', {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password: password ?? config?.password } } },
          scope: { project: { name: project ?? config?.project ?? user, domain: { name: 'Default' } } },
        },
      },
    });
    if (result.status !== 201) throw new Error(`login ${user} failed: ${result.status} ${result.text}`);
    return String(result.headers['x-subject-token']);
  };
  const refs: TestSim['refs'] = async (token) => {
    const networks = (await request('GET', '/network/v2.0/networks', { token })).body as { networks: { id: string; name: string }[] };
    const project = (await request('GET', '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': token } })).body as { token: { project: { name: string } } };
    const network = networks.networks.find((n) => n.name === `${project.token.project.name}-net`);
    const flavors = (await request('GET', '/compute/v2.1/flavors/detail', { token })).body as { flavors: { id: string; name: string }[] };
    const images = (await request('GET', '/image/v2/images?name=Rocky-9', { token })).body as { images: { id: string }[] };
    return { networkId: network?.id ?? '', flavorId: flavors.flavors.find((f) => f.name === '1c1g')?.id ?? '', imageId: images.images[0]?.id ?? '' };
  };
  const createServer: TestSim['createServer'] = async (token, name = 'vm', extra = {}) => {
    const r = await refs(token);
    const result = await request('POST', '/compute/v2.1/servers', {
      token,
      body: { server: { name, flavorRef: r.flavorId, imageRef: r.imageId, networks: [{ uuid: r.networkId }], ...extra } },
    });
    if (result.status !== 202) throw new Error(`create failed: ${result.status} ${result.text}`);
    return (result.body as { server: { id: string } }).server.id;
  };
  const server: TestSim['server'] = async (token, id, version) => {
    const result = await request('GET', `/compute/v2.1/servers/${id}`, { token, headers: version ? { 'openstack-api-version': `compute ${version}` } : {} });
    return result.status === 200 ? (result.body as { server: Record<string, unknown> }).server : null;
  };
  const admin: TestSim['admin'] = (method, url, body) => request(method, url, { body, headers: { 'x-sim-admin-secret': SECRET } });
  return { sim, clock, request, login, refs, createServer, server, admin };
}

/** status, vm_state, task_state and power_state of a server view, for compact assertions. */
export function states(view: Record<string, unknown> | null): [unknown, unknown, unknown, unknown] {
  if (!view) return ['404', null, null, null];
  return [view.status, view['OS-EXT-STS:vm_state'], view['OS-EXT-STS:task_state'], view['OS-EXT-STS:power_state']];
}
