import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSim } from './helpers.ts';
import { createTestSim } from './helpers.ts';

// Correctness at 50,000 servers; timings live in bench/sim-page.bench.ts.
const COUNT = 50_000;
let env: TestSim;
let token: string;
let ids: string[];

type Page = { servers: { id: string; created: string }[]; servers_links?: { rel: string; href: string }[] };

beforeAll(async () => {
  env = createTestSim();
  ids = env.sim.admin.loadServers(COUNT, 'demo').map((s) => s.id);
  token = await env.login();
}, 120_000);

afterAll(async () => {
  await env.sim.stop();
});

describe('scale: 50,000 servers', () => {
  it('detail page holds 1000 newest servers', async () => {
    const page = (await env.request('GET', '/compute/v2.1/servers/detail', { token })).body as Page;
    expect(page.servers).toHaveLength(1000);
    expect(page.servers.map((s) => s.id)).toEqual(ids.slice(-1000).reverse());
    expect(page.servers_links?.[0]?.href).toContain(`marker=${ids[COUNT - 1000]}`);
  });

  it('marker deep in the list continues in order', async () => {
    const marker = ids[20_000] as string;
    const page = (await env.request('GET', `/compute/v2.1/servers?limit=1000&marker=${marker}`, { token })).body as Page;
    expect(page.servers.map((s) => s.id)).toEqual(ids.slice(19_000, 20_000).reverse());
  });

  it('last page is short and has no next link', async () => {
    const page = (await env.request('GET', `/compute/v2.1/servers?limit=1000&marker=${ids[500]}`, { token })).body as Page;
    expect(page.servers).toHaveLength(500);
    expect(page.servers_links).toBeUndefined();
  });

  it('changes-since finds recent changes only', async () => {
    env.clock.advance(1000);
    const since = new Date(env.clock.now()).toISOString();
    const target = ids[123] as string;
    await env.request('PUT', `/compute/v2.1/servers/${target}`, { token, body: { server: { name: 'touched' } } });
    const page = (await env.request('GET', `/compute/v2.1/servers?changes-since=${encodeURIComponent(since)}`, { token })).body as Page;
    expect(page.servers.map((s) => s.id)).toEqual([target]);
  });
});
