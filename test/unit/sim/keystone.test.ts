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

  it('project list filters by name, domain and enabled', async () => {
    env = createTestSim();
    const token = await env.login('admin');
    const names = async (query: string) => {
      const result = await env.request('GET', `/identity/v3/projects${query}`, { token });
      expect(result.status).toBe(200);
      return (result.body as { projects: { name: string }[] }).projects.map((p) => p.name);
    };

    expect((await names('')).sort()).toEqual(['admin', 'alt', 'demo']);
    expect(await names('?name=demo')).toEqual(['demo']);
    expect(await names('?name=DEMO')).toEqual(['demo']);
    expect(await names('?name=nope')).toEqual([]);
    expect(await names('?name=')).toEqual([]);
    expect(await names('?name=demo&name=alt')).toEqual([]);
    expect(await names('?name=demo&domain_id=default')).toEqual(['demo']);
    expect(await names('?domain_id=nope')).toEqual([]);
    expect(await names('?enabled=false&name=demo')).toEqual([]);
    expect(await names('?enabled=0')).toEqual([]);
    expect(await names('?enabled=True&name=demo')).toEqual(['demo']);
    expect(await names('?enabled=&name=demo')).toEqual(['demo']);
  });

  it('project list links and order', async () => {
    env = createTestSim();
    const token = await env.login('admin');
    const result = await env.request('GET', '/identity/v3/projects?name=demo', { token });
    const body = result.body as { links: Record<string, unknown>; projects: { id: string }[] };
    expect(body.links).toEqual({ self: 'http://127.0.0.1:9999/identity/v3/projects?name=demo', previous: null, next: null });

    const all = (await env.request('GET', '/identity/v3/projects', { token })).body as { projects: { id: string }[] };
    const ids = all.projects.map((p) => p.id);
    expect(ids).toEqual([...ids].sort());
  });

  it('project list needs admin', async () => {
    env = createTestSim();
    const token = await env.login('demo');
    const result = await env.request('GET', '/identity/v3/projects?name=demo', { token });
    expect(result.status).toBe(403);
    expect(result.body).toEqual({
      error: { code: 403, message: 'You are not authorized to perform the requested action: identity:list_projects.', title: 'Forbidden' },
    });
  });

  it('project show by id for admin and member', async () => {
    env = createTestSim();
    const admin = await env.login('admin');
    const demo = await env.login('demo');
    const listed = (await env.request('GET', '/identity/v3/projects', { token: admin })).body as { projects: { id: string; name: string }[] };
    const demoProject = listed.projects.find((p) => p.name === 'demo');
    const altProject = listed.projects.find((p) => p.name === 'alt');

    const byAdmin = await env.request('GET', `/identity/v3/projects/${demoProject?.id}`, { token: admin });
    expect(byAdmin.status).toBe(200);
    expect((byAdmin.body as { project: unknown }).project).toEqual(demoProject);
    const byMember = await env.request('GET', `/identity/v3/projects/${demoProject?.id}/`, { token: demo });
    expect(byMember.status).toBe(200);
    expect((byMember.body as { project: unknown }).project).toEqual(demoProject);

    const otherProject = await env.request('GET', `/identity/v3/projects/${altProject?.id}`, { token: demo });
    expect(otherProject.status).toBe(403);
    expect((otherProject.body as { error: { message: string } }).error.message).toBe('You are not authorized to perform the requested action: identity:get_project.');
  });

  it('project show of unknown id', async () => {
    env = createTestSim();
    const byAdmin = await env.request('GET', '/identity/v3/projects/nope', { token: await env.login('admin') });
    expect(byAdmin.status).toBe(404);
    expect(byAdmin.body).toEqual({ error: { code: 404, message: 'Could not find project: nope.', title: 'Not Found' } });
    const byMember = await env.request('GET', '/identity/v3/projects/nope', { token: await env.login('demo') });
    expect(byMember.status).toBe(403);
  });

  it('user projects and auth projects', async () => {
    env = createTestSim();
    const admin = await env.login('admin');
    const demo = await env.login('demo');
    const userIdOf = async (token: string) =>
      ((await env.request('GET', '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': token } })).body as { token: { user: { id: string } } }).token.user.id;
    const demoUser = await userIdOf(demo);
    const adminUser = await userIdOf(admin);
    const names = (reply: { body: unknown }) => (reply.body as { projects: { name: string }[] }).projects.map((p) => p.name);

    expect(names(await env.request('GET', `/identity/v3/users/${demoUser}/projects`, { token: demo }))).toEqual(['demo']);
    expect(names(await env.request('GET', `/identity/v3/users/${demoUser}/projects`, { token: admin }))).toEqual(['demo']);
    expect(names(await env.request('GET', `/identity/v3/users/${demoUser}/projects?name=alt`, { token: admin }))).toEqual([]);
    expect(names(await env.request('GET', '/identity/v3/auth/projects?name=alt', { token: demo }))).toEqual(['demo']);

    const otherUser = await env.request('GET', `/identity/v3/users/${adminUser}/projects`, { token: demo });
    expect(otherUser.status).toBe(403);
    expect((otherUser.body as { error: { message: string } }).error.message).toBe('You are not authorized to perform the requested action: identity:list_user_projects.');
    expect((await env.request('GET', '/identity/v3/users/nope/projects', { token: demo })).status).toBe(403);
    const unknownUser = await env.request('GET', '/identity/v3/users/nope/projects', { token: admin });
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.body).toEqual({ error: { code: 404, message: 'Could not find user: nope.', title: 'Not Found' } });
  });
});
