import { afterEach, describe, expect, it } from 'vitest';
import type { TestSim } from './helpers.ts';
import { createTestSim, states } from './helpers.ts';

let env: TestSim;

afterEach(async () => {
  await env.sim.stop();
});

describe('admin endpoint', () => {
  it('requires the secret header', async () => {
    env = createTestSim();
    expect((await env.request('GET', '/_sim/state')).status).toBe(403);
    expect((await env.request('GET', '/_sim/state', { headers: { 'x-sim-admin-secret': 'wrong' } })).status).toBe(403);
    const state = await env.admin('GET', '/_sim/state');
    expect(state.status).toBe(200);
    expect((state.body as { manualClock: boolean }).manualClock).toBe(true);
  });

  it('out-of-band stop, resize and delete', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(60_000);

    expect((await env.admin('POST', `/_sim/servers/${id}/out-of-band`, { action: 'stop' })).status).toBe(202);
    env.clock.advance(60_000);
    expect(states(await env.server(token, id))[0]).toBe('SHUTOFF');

    const resize = await env.admin('POST', `/_sim/servers/${id}/out-of-band`, { action: 'resize', flavor: '2c4g' });
    expect(resize.status).toBe(202);
    expect((await env.server(token, id))?.status).toBe('RESIZE');
    env.clock.advance(60_000);
    const resized = await env.server(token, id, '2.47');
    expect((resized?.flavor as { original_name: string }).original_name).toBe('2c4g');
    expect(resized?.status).toBe('SHUTOFF');

    expect((await env.admin('POST', `/_sim/servers/${id}/out-of-band`, { action: 'delete' })).status).toBe(202);
    env.clock.advance(60_000);
    expect(await env.server(token, id)).toBeNull();
    const actions = (await env.admin('POST', `/_sim/servers/${id}/out-of-band`, { action: 'stop' })).status;
    expect(actions).toBe(404);
  });

  it('rejects unknown actions and flavors', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    expect((await env.admin('POST', `/_sim/servers/${id}/out-of-band`, { action: 'explode' })).status).toBe(400);
    expect((await env.admin('POST', `/_sim/servers/${id}/out-of-band`, { action: 'resize', flavor: 'huge' })).status).toBe(400);
  });

  it('load and clock advance', async () => {
    env = createTestSim();
    const loaded = await env.admin('POST', '/_sim/load', { servers: 50, project: 'alt' });
    expect((loaded.body as { loaded: number }).loaded).toBe(50);
    const before = env.clock.now();
    await env.admin('POST', '/_sim/clock/advance', { ms: 5000 });
    expect(env.clock.now()).toBe(before + 5000);
  });
});
