import { afterEach, describe, expect, it } from 'vitest';
import { defaultTimings } from '../../../src/sim/state/lifecycle.ts';
import type { TestSim } from './helpers.ts';
import { createTestSim, states } from './helpers.ts';

const t = defaultTimings;
let env: TestSim;

afterEach(async () => {
  await env.sim.stop();
});

describe('server state transitions', () => {
  it('build goes scheduling, networking, spawning, ACTIVE', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);

    expect(states(await env.server(token, id))).toEqual(['BUILD', 'building', 'scheduling', 0]);
    expect((await env.server(token, id))?.addresses).toEqual({});

    env.clock.advance(t.scheduling);
    expect(states(await env.server(token, id))).toEqual(['BUILD', 'building', 'networking', 0]);
    env.clock.advance(t.networking);
    const spawning = await env.server(token, id);
    expect(states(spawning)).toEqual(['BUILD', 'building', 'spawning', 0]);
    expect(spawning?.addresses).toEqual({});

    env.clock.advance(t.spawning);
    const active = await env.server(token, id);
    expect(states(active)).toEqual(['ACTIVE', 'active', null, 1]);
    const addresses = active?.addresses as Record<string, { addr: string; 'OS-EXT-IPS-MAC:mac_addr': string }[]>;
    expect(addresses['demo-net']?.[0]?.addr).toBe('10.10.0.2');
    expect(addresses['demo-net']?.[0]?.['OS-EXT-IPS-MAC:mac_addr']).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(active?.['OS-SRV-USG:launched_at']).toBe('2026-06-01T00:00:06.000000');
  });

  it('jumping past all phases at once settles in order', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(60_000);
    expect(states(await env.server(token, id))).toEqual(['ACTIVE', 'active', null, 1]);
    const ports = (await env.request('GET', `/network/v2.0/ports?device_id=${id}`, { token })).body as { ports: { device_owner: string; status: string }[] };
    expect(ports.ports).toHaveLength(1);
    expect(ports.ports[0]?.device_owner).toBe('compute:nova');
  });

  it('stop, start, reboot and pause follow Nova', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(60_000);
    const act = (body: unknown) => env.request('POST', `/compute/v2.1/servers/${id}/action`, { token, body });

    expect((await act({ 'os-stop': null })).status).toBe(202);
    expect(states(await env.server(token, id))).toEqual(['ACTIVE', 'active', 'powering-off', 1]);
    env.clock.advance(t.powerOff);
    expect(states(await env.server(token, id))).toEqual(['SHUTOFF', 'stopped', null, 4]);

    expect((await act({ 'os-start': null })).status).toBe(202);
    expect(states(await env.server(token, id))).toEqual(['SHUTOFF', 'stopped', 'powering-on', 4]);
    env.clock.advance(t.powerOn);
    expect(states(await env.server(token, id))).toEqual(['ACTIVE', 'active', null, 1]);

    expect((await act({ reboot: { type: 'SOFT' } })).status).toBe(202);
    expect(states(await env.server(token, id))).toEqual(['REBOOT', 'active', 'rebooting', 1]);
    env.clock.advance(t.softReboot);
    expect((await act({ reboot: { type: 'HARD' } })).status).toBe(202);
    expect(states(await env.server(token, id))).toEqual(['HARD_REBOOT', 'active', 'rebooting_hard', 1]);
    env.clock.advance(t.hardReboot);

    expect((await act({ pause: null })).status).toBe(202);
    env.clock.advance(t.pause);
    expect(states(await env.server(token, id))).toEqual(['PAUSED', 'paused', null, 3]);
    expect((await act({ unpause: null })).status).toBe(202);
    env.clock.advance(t.unpause);
    expect((await act({ suspend: null })).status).toBe(202);
    env.clock.advance(t.suspend);
    expect(states(await env.server(token, id))).toEqual(['SUSPENDED', 'suspended', null, 4]);
    expect((await act({ resume: null })).status).toBe(202);
    env.clock.advance(t.resume);
    expect(states(await env.server(token, id))).toEqual(['ACTIVE', 'active', null, 1]);
  });

  it('actions in the wrong state answer 409', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    const act = (body: unknown) => env.request('POST', `/compute/v2.1/servers/${id}/action`, { token, body });

    const duringBuild = await act({ 'os-stop': null });
    expect(duringBuild.status).toBe(409);
    expect(duringBuild.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${id} while it is in vm_state building` } });

    env.clock.advance(60_000);
    expect((await act({ 'os-start': null })).body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'start' instance ${id} while it is in vm_state active` } });
    expect((await act({ resume: null })).status).toBe(409);
    expect((await act({ unpause: null })).status).toBe(409);

    await act({ 'os-stop': null });
    const whileStopping = await act({ 'os-stop': null });
    expect(whileStopping.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${id} while it is in task_state powering-off` } });
    env.clock.advance(t.powerOff);
    expect((await act({ reboot: { type: 'SOFT' } })).status).toBe(409);
    expect((await act({ reboot: { type: 'HARD' } })).status).toBe(202);
  });

  it('delete shows deleting, DELETED, then 404', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(60_000);

    expect((await env.request('DELETE', `/compute/v2.1/servers/${id}`, { token })).status).toBe(204);
    expect(states(await env.server(token, id))).toEqual(['ACTIVE', 'active', 'deleting', 1]);
    env.clock.advance(t.delete);
    const deleted = await env.server(token, id);
    expect(states(deleted)).toEqual(['DELETED', 'deleted', null, 0]);
    expect(deleted?.addresses).toEqual({});
    env.clock.advance(t.deletedVisible);
    const gone = await env.request('GET', `/compute/v2.1/servers/${id}`, { token });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });

    const ports = (await env.request('GET', `/network/v2.0/ports?device_id=${id}`, { token })).body as { ports: unknown[] };
    expect(ports.ports).toHaveLength(0);
    const limits = (await env.request('GET', '/compute/v2.1/limits', { token })).body as { limits: { absolute: { totalInstancesUsed: number } } };
    expect(limits.limits.absolute.totalInstancesUsed).toBe(0);
  });

  it('embedded flavor from 2.47 and swap formats', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    const old = await env.server(token, id);
    expect(Object.keys(old?.flavor as object).sort()).toEqual(['id', 'links']);
    const embedded = (await env.server(token, id, '2.47'))?.flavor as Record<string, unknown>;
    expect(embedded).toEqual({ vcpus: 1, ram: 1024, disk: 20, ephemeral: 0, swap: 0, original_name: '1c1g', extra_specs: {} });
    const flavors = (await env.request('GET', '/compute/v2.1/flavors/detail', { token })).body as { flavors: { swap: unknown }[] };
    expect(flavors.flavors.every((f) => f.swap === '')).toBe(true);
  });

  it('quota exceeded answers 403 forbidden', async () => {
    env = createTestSim();
    const token = await env.login();
    const r = await env.refs(token);
    const result = await env.request('POST', '/compute/v2.1/servers', {
      token,
      body: { server: { name: 'many', flavorRef: r.flavorId, imageRef: r.imageId, networks: [{ uuid: r.networkId }], min_count: 11 } },
    });
    expect(result.status).toBe(403);
    expect(result.body).toEqual({ forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 11, but already used 0 of 10 instances' } });
  });

  it('microversion headers are echoed', async () => {
    env = createTestSim();
    const token = await env.login();
    const result = await env.request('GET', '/compute/v2.1/servers', { token, headers: { 'x-openstack-nova-api-version': '2.60' } });
    expect(result.headers['openstack-api-version']).toBe('compute 2.60');
    expect(result.headers['x-openstack-nova-api-version']).toBe('2.60');
    expect(String(result.headers.vary)).toContain('X-OpenStack-Nova-API-Version');
    const latest = await env.request('GET', '/compute/v2.1/servers', { token, headers: { 'openstack-api-version': 'compute latest' } });
    expect(latest.headers['openstack-api-version']).toBe('compute 2.93');
    const bad = await env.request('GET', '/compute/v2.1/servers', { token, headers: { 'openstack-api-version': 'compute 3.0' } });
    expect(bad.status).toBe(406);
  });

  it('same seed gives the same ids', async () => {
    env = createTestSim();
    const first = await env.createServer(await env.login());
    await env.sim.stop();
    env = createTestSim();
    const second = await env.createServer(await env.login());
    expect(second).toBe(first);
  });
});

describe('resize and lock actions', () => {
  it('resize, confirm and revert', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(60_000);
    const act = (body: unknown) => env.request('POST', `/compute/v2.1/servers/${id}/action`, { token, body });
    const flavors = (await env.request('GET', '/compute/v2.1/flavors', { token })).body as { flavors: { id: string; name: string }[] };
    const bigger = flavors.flavors.find((f) => f.name === '2c4g')?.id;
    const flavorName = async () => ((await env.server(token, id, '2.47'))?.flavor as { original_name: string }).original_name;

    expect((await act({ resize: { flavorRef: 'nope' } })).body).toEqual({ badRequest: { code: 400, message: 'Unable to locate requested flavor.' } });
    expect((await act({ resize: { flavorRef: bigger } })).status).toBe(202);
    expect(states(await env.server(token, id))).toEqual(['RESIZE', 'active', 'resize_prep', 1]);
    env.clock.advance(t.resizePhase * 4);
    expect(states(await env.server(token, id))).toEqual(['VERIFY_RESIZE', 'resized', null, 1]);
    expect(await flavorName()).toBe('2c4g');
    const confirmed = await act({ confirmResize: null });
    expect(confirmed.status).toBe(204);
    expect(states(await env.server(token, id))).toEqual(['ACTIVE', 'active', null, 1]);

    const small = flavors.flavors.find((f) => f.name === '1c1g')?.id;
    expect((await act({ resize: { flavorRef: small } })).status).toBe(202);
    env.clock.advance(t.resizePhase * 4);
    expect((await act({ revertResize: null })).status).toBe(202);
    expect(states(await env.server(token, id))).toEqual(['REVERT_RESIZE', 'resized', 'resize_reverting', 1]);
    env.clock.advance(t.resizePhase);
    expect(states(await env.server(token, id))).toEqual(['ACTIVE', 'active', null, 1]);
    expect(await flavorName()).toBe('2c4g');
    expect((await act({ confirmResize: null })).body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'confirmResize' instance ${id} while it is in vm_state active` } });
    expect((await act({ resize: { flavorRef: bigger } })).body).toEqual({ badRequest: { code: 400, message: 'When resizing, instances must change flavor!' } });
  });

  it('locked server rejects member actions', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(60_000);
    const act = (body: unknown) => env.request('POST', `/compute/v2.1/servers/${id}/action`, { token, body });
    expect((await act({ lock: null })).status).toBe(202);
    expect((await env.server(token, id, '2.9'))?.locked).toBe(true);
    expect((await act({ 'os-stop': null })).body).toEqual({ conflictingRequest: { code: 409, message: `Instance ${id} is locked` } });
    expect((await env.request('DELETE', `/compute/v2.1/servers/${id}`, { token })).status).toBe(409);
    expect((await act({ unlock: null })).status).toBe(202);
    expect((await act({ 'os-stop': null })).status).toBe(202);
  });
});
