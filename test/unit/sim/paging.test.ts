import { afterEach, describe, expect, it } from 'vitest';
import type { TestSim } from './helpers.ts';
import { createTestSim } from './helpers.ts';

let env: TestSim;

afterEach(async () => {
  await env.sim.stop();
});

type Page = { servers: { id: string; name: string; status?: string }[]; servers_links?: { rel: string; href: string }[] };

describe('servers paging and filters', () => {
  it('pages follow created desc with next links', async () => {
    env = createTestSim({ maxLimit: 10 });
    const loaded = env.sim.admin.loadServers(25, 'demo');
    const token = await env.login();
    const expected = [...loaded].reverse().map((s) => s.id);

    const seen: string[] = [];
    let url: string | undefined = '/compute/v2.1/servers';
    for (let i = 0; i < 5 && url; i++) {
      const page = (await env.request('GET', url, { token })).body as Page;
      seen.push(...page.servers.map((s) => s.id));
      const next = page.servers_links?.find((l) => l.rel === 'next')?.href;
      if (page.servers.length === 10) expect(next).toMatch(/^http:\/\/127\.0\.0\.1:9999\/compute\/v2\.1\/servers\?marker=/);
      else expect(next).toBeUndefined();
      url = next?.replace('http://127.0.0.1:9999', '');
    }
    expect(seen).toEqual(expected);
  });

  it('limit above max_limit is capped', async () => {
    env = createTestSim({ maxLimit: 10 });
    env.sim.admin.loadServers(15, 'demo');
    const token = await env.login();
    const page = (await env.request('GET', '/compute/v2.1/servers?limit=5000', { token })).body as Page;
    expect(page.servers).toHaveLength(10);
    expect(page.servers_links?.[0]?.href).toContain('limit=5000');
  });

  it('full last page still has a next link', async () => {
    env = createTestSim();
    env.sim.admin.loadServers(2, 'demo');
    const token = await env.login();
    const first = (await env.request('GET', '/compute/v2.1/servers?limit=2', { token })).body as Page;
    expect(first.servers).toHaveLength(2);
    const next = first.servers_links?.[0]?.href.replace('http://127.0.0.1:9999', '') ?? '';
    expect((await env.request('GET', next, { token })).body).toEqual({ servers: [] });
  });

  it('bad limit and unknown marker answer 400', async () => {
    env = createTestSim();
    const token = await env.login();
    const negative = await env.request('GET', '/compute/v2.1/servers?limit=-1', { token });
    expect(negative.status).toBe(400);
    expect(negative.body).toEqual({ badRequest: { code: 400, message: "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'" } });
    const marker = await env.request('GET', '/compute/v2.1/servers?marker=abc', { token });
    expect(marker.body).toEqual({ badRequest: { code: 400, message: 'marker [abc] not found' } });
    expect((await env.request('GET', '/compute/v2.1/servers?limit=0', { token })).body).toEqual({ servers: [] });
  });

  it('deleted server works as marker', async () => {
    env = createTestSim();
    const loaded = env.sim.admin.loadServers(5, 'demo');
    const token = await env.login();
    const middle = loaded[2]?.id as string;
    await env.request('DELETE', `/compute/v2.1/servers/${middle}`, { token });
    env.clock.advance(60_000);
    expect((await env.request('GET', `/compute/v2.1/servers/${middle}`, { token })).status).toBe(404);
    const page = (await env.request('GET', `/compute/v2.1/servers?marker=${middle}`, { token })).body as Page;
    expect(page.servers.map((s) => s.id)).toEqual([loaded[1]?.id, loaded[0]?.id]);
  });

  it('changes-since includes deleted servers', async () => {
    env = createTestSim();
    const loaded = env.sim.admin.loadServers(5, 'demo');
    const token = await env.login();
    env.clock.advance(10_000);
    const since = new Date(env.clock.now()).toISOString();
    const victim = loaded[0]?.id as string;
    const touched = loaded[3]?.id as string;
    await env.request('DELETE', `/compute/v2.1/servers/${victim}`, { token });
    await env.request('PUT', `/compute/v2.1/servers/${touched}`, { token, body: { server: { name: 'renamed' } } });
    env.clock.advance(60_000);

    const changed = (await env.request('GET', `/compute/v2.1/servers/detail?changes-since=${encodeURIComponent(since)}`, { token })).body as Page;
    const statusOf: Record<string, string> = { active: 'ACTIVE', stopped: 'SHUTOFF', error: 'ERROR' };
    expect(changed.servers.map((s) => [s.id, s.status])).toEqual([
      [touched, statusOf[loaded[3]?.vmState ?? '']],
      [victim, 'DELETED'],
    ]);
    const plain = (await env.request('GET', '/compute/v2.1/servers', { token })).body as Page;
    expect(plain.servers.map((s) => s.id)).not.toContain(victim);
    expect((await env.request('GET', '/compute/v2.1/servers?changes-since=nope', { token })).status).toBe(400);
  });

  it('all_tenants needs admin and project_id narrows it', async () => {
    env = createTestSim();
    env.sim.admin.loadServers(3, 'demo');
    env.sim.admin.loadServers(2, 'alt');
    const member = await env.login('demo');
    const denied = await env.request('GET', '/compute/v2.1/servers/detail?all_tenants=1', { token: member });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed." } });

    const admin = await env.login('admin');
    const own = (await env.request('GET', '/compute/v2.1/servers', { token: admin })).body as Page;
    expect(own.servers).toHaveLength(0);
    const all = (await env.request('GET', '/compute/v2.1/servers?all_tenants=1', { token: admin })).body as Page;
    expect(all.servers).toHaveLength(5);
    const altId = env.sim.admin.projectId('alt');
    const alt = (await env.request('GET', `/compute/v2.1/servers?all_tenants=1&project_id=${altId}`, { token: admin })).body as Page;
    expect(alt.servers).toHaveLength(2);
  });

  it('name is a regex and status filters', async () => {
    env = createTestSim();
    env.sim.admin.loadServers(12, 'demo');
    const token = await env.login();
    const named = (await env.request('GET', `/compute/v2.1/servers?name=${encodeURIComponent('^bulk-1[01]$')}`, { token })).body as Page;
    expect(named.servers.map((s) => s.name).sort()).toEqual(['bulk-10', 'bulk-11']);
    const bad = await env.request('GET', '/compute/v2.1/servers?name=%5B', { token });
    expect(bad.status).toBe(400);
    const active = (await env.request('GET', '/compute/v2.1/servers/detail?status=ACTIVE', { token })).body as Page;
    expect(active.servers.length).toBeGreaterThan(0);
    expect(active.servers.every((s) => s.status === 'ACTIVE')).toBe(true);
  });

  it('glance pages with relative links, default 25', async () => {
    env = createTestSim();
    const token = await env.login();
    const page = (await env.request('GET', '/image/v2/images?limit=3', { token })).body as { images: { id: string }[]; next: string; first: string };
    expect(page.images).toHaveLength(3);
    expect(page.next).toBe(`/v2/images?limit=3&marker=${page.images[2]?.id}`);
    const rest = (await env.request('GET', `/image${page.next}`, { token })).body as { images: { id: string }[] };
    expect(rest.images.map((i) => i.id)).not.toContain(page.images[0]?.id);
    const hidden = (await env.request('GET', '/image/v2/images?os_hidden=true', { token })).body as { images: { name: string }[] };
    expect(hidden.images.map((i) => i.name)).toEqual(['CirrOS-0.6-hidden']);
  });
});
