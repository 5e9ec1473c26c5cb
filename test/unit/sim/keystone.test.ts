import { afterEach, describe, expect, it } from 'vitest';
import type { TestSim } from './helpers.ts';
import { createTestSim } from './helpers.ts';

let env: TestSim;

afterEach(async () => {
  await env.sim.stop();
});

const tokenBody = (identity: unknown, scope?: unknown) => ({ auth: { identity, ...(scope ? { scope } : {}) } });

describe('keystone', () => {
  it('password token has catalog, roles and expiry', async () => {
    env = createTestSim({ tokenLifetimeSeconds: 600 });
    const result = await env.request('POST', '/identity/v3/auth/tokens', {
      body: tokenBody({ methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: 'admin-sim-pass' } } }, { project: { name: 'admin', domain: { name: 'Default' } } }),
    });
    expect(result.status).toBe(201);
    expect(String(result.headers['x-subject-token'])).toMatch(/^gAAAAA/);
    const token = (result.body as { token: Record<string, unknown> }).token;
    expect(token.expires_at).toBe('2026-06-01T00:10:00.000000Z');
    expect((token.roles as { name: string }[]).map((r) => r.name).sort()).toEqual(['admin', 'member', 'reader']);
    const catalog = token.catalog as { type: string; endpoints: { interface: string; url: string }[] }[];
    expect(catalog.map((c) => c.type)).toEqual(['identity', 'compute', 'image', 'network', 'block-storage', 'volumev3']);
    expect(catalog[1]?.endpoints.map((e) => e.interface)).toEqual(['public', 'internal', 'admin']);
    expect(catalog[1]?.endpoints[0]?.url).toBe('http://127.0.0.1:9999/compute/v2.1');
  });

  it('wrong password and unknown project answer 401', async () => {
    env = createTestSim();
    const wrong = await env.request('POST', '/identity/v3/auth/tokens', {
      body: tokenBody({ methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: 'nope' } } }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } });
    const otherProject = await env.request('POST', '/identity/v3/auth/tokens', {
      body: tokenBody({ methods: ['password'], password: { user: { name: 'demo', domain: { name: 'Default' }, password: 'demo-sim-pass' } } }, { project: { name: 'alt', domain: { name: 'Default' } } }),
    });
    expect(otherProject.status).toBe(401);
  });

  it('token method and revocation', async () => {
    env = createTestSim();
    const token = await env.login();
    const rescoped = await env.request('POST', '/identity/v3/auth/tokens', { body: tokenBody({ methods: ['token'], token: { id: token } }) });
    expect(rescoped.status).toBe(201);
    const second = String(rescoped.headers['x-subject-token']);
    expect((await env.request('GET', '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': second } })).status).toBe(200);
    expect((await env.request('DELETE', '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': second } })).status).toBe(204);
    const missing = await env.request('GET', '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': second } });
    expect(missing.status).toBe(404);
    expect((await env.request('GET', '/compute/v2.1/servers', { token: second })).status).toBe(401);
  });

  it('application credential authenticates', async () => {
    env = createTestSim();
    const token = await env.login();
    const check = (await env.request('GET', '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': token } })).body as { token: { user: { id: string } } };
    const created = await env.request('POST', `/identity/v3/users/${check.token.user.id}/application_credentials`, {
      token,
      body: { application_credential: { name: 'portal', secret: 's3cret' } },
    });
    expect(created.status).toBe(201);
    const credential = (created.body as { application_credential: { id: string } }).application_credential;
    const login = await env.request('POST', '/identity/v3/auth/tokens', {
      body: tokenBody({ methods: ['application_credential'], application_credential: { id: credential.id, secret: 's3cret' } }),
    });
    expect(login.status).toBe(201);
    const body = (login.body as { token: { project: { name: string }; application_credential: { name: string } } }).token;
    expect(body.project.name).toBe('demo');
    expect(body.application_credential.name).toBe('portal');
    const bad = await env.request('POST', '/identity/v3/auth/tokens', {
      body: tokenBody({ methods: ['application_credential'], application_credential: { id: credential.id, secret: 'nope' } }),
    });
    expect(bad.status).toBe(401);
  });
});
