import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector, validateFaultConfig } from '../../../src/sim/faults.ts';
import { defaultTimings } from '../../../src/sim/state/lifecycle.ts';
import type { TestSim } from './helpers.ts';
import { createTestSim, states } from './helpers.ts';

let env: TestSim | undefined;

afterEach(async () => {
  await env?.sim.stop();
  env = undefined;
});

const buildTime = defaultTimings.scheduling + defaultTimings.networking + defaultTimings.spawning;

describe('fault injection', () => {
  it('burst503 fails the next N requests in each service shape', async () => {
    env = createTestSim();
    const token = await env.login();
    expect((await env.admin('POST', '/_sim/faults', { burst503: 3 })).status).toBe(200);
    const nova = await env.request('GET', '/compute/v2.1/servers', { token });
    expect(nova.status).toBe(503);
    expect(nova.body).toEqual({ serviceUnavailable: { code: 503, message: 'The server is currently unavailable. Please try again at a later time.' } });
    const neutron = await env.request('GET', '/network/v2.0/networks', { token });
    expect((neutron.body as { NeutronError: { type: string } }).NeutronError.type).toBe('HTTPServiceUnavailable');
    expect((await env.request('GET', '/identity/v3/auth/projects', { token })).status).toBe(503);
    expect((await env.request('GET', '/compute/v2.1/servers', { token })).status).toBe(200);
  });

  it('route error rate 1 fails only matching routes', async () => {
    env = createTestSim({ faults: { routes: [{ method: 'GET', path: '/compute/v2.1/servers*', errorRate: 1, status: 500 }] } });
    const token = await env.login();
    const failed = await env.request('GET', '/compute/v2.1/servers/detail', { token });
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ computeFault: { code: 500, message: 'Simulated failure injected by the simulator.' } });
    expect((await env.request('GET', '/compute/v2.1/flavors', { token })).status).toBe(200);
  });

  it('error rate is deterministic for a seed', () => {
    const outcomes = (seed: number) => {
      const faults = new FaultInjector(seed);
      faults.configure({ routes: [{ path: '/x', errorRate: 0.5 }] });
      return Array.from({ length: 40 }, () => (faults.forRequest('GET', '/x').error ? 1 : 0)).join('');
    };
    expect(outcomes(3)).toBe(outcomes(3));
    expect(outcomes(3)).not.toBe(outcomes(4));
    const failures = outcomes(3).split('').filter((c) => c === '1').length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('latency distributions stay in range', () => {
    const faults = new FaultInjector(1);
    faults.configure({ latency: { distribution: 'uniform', min: 10, max: 20 } });
    for (let i = 0; i < 50; i++) {
      const delay = faults.forRequest('GET', '/any').delayMs;
      expect(delay).toBeGreaterThanOrEqual(10);
      expect(delay).toBeLessThanOrEqual(20);
    }
    faults.configure({ routes: [{ path: '/slow', latency: { distribution: 'fixed', ms: 250 } }], latency: { distribution: 'normal', mean: 5, stddev: 100 } });
    expect(faults.forRequest('GET', '/slow').delayMs).toBe(250);
    expect(faults.forRequest('GET', '/fast').delayMs).toBeGreaterThanOrEqual(0);
  });

  it('latency delays the response', async () => {
    env = createTestSim({ faults: { routes: [{ path: '/compute/v2.1/flavors', latency: { distribution: 'fixed', ms: 120 } }] } });
    const token = await env.login();
    const started = Date.now();
    expect((await env.request('GET', '/compute/v2.1/flavors', { token })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('failed build ends in ERROR with a fault', async () => {
    env = createTestSim({ faults: { build: { nextErrors: 1, faultMessage: 'No valid host was found.' } } });
    const token = await env.login();
    const failed = await env.createServer(token, 'bad');
    const healthy = await env.createServer(token, 'good');
    env.clock.advance(buildTime);
    const view = await env.server(token, failed);
    expect(states(view)).toEqual(['ERROR', 'error', null, 0]);
    const fault = view?.fault as { code: number; message: string; created: string };
    expect(fault.code).toBe(500);
    expect(fault.message).toBe('No valid host was found.');
    expect(fault.created).toBe('2026-06-01T00:00:06Z');
    expect(states(await env.server(token, healthy))[0]).toBe('ACTIVE');
  });

  it('stuck build stays in BUILD', async () => {
    env = createTestSim({ faults: { build: { nextStuck: 1 } } });
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(1_800_000);
    expect(states(await env.server(token, id))).toEqual(['BUILD', 'building', 'spawning', 0]);
    expect((await env.request('DELETE', `/compute/v2.1/servers/${id}`, { token })).status).toBe(204);
    env.clock.advance(60_000);
    expect(await env.server(token, id)).toBeNull();
  });

  it('short token lifetime expires tokens', async () => {
    env = createTestSim();
    await env.admin('POST', '/_sim/faults', { tokenLifetimeSeconds: 30 });
    const token = await env.login();
    expect((await env.request('GET', '/compute/v2.1/servers', { token })).status).toBe(200);
    env.clock.advance(30_000);
    const expired = await env.request('GET', '/compute/v2.1/servers', { token });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  });

  it('invalid fault config is rejected with reasons', async () => {
    expect(validateFaultConfig({ routes: [{ errorRate: 2 }], bogus: 1 })).toEqual([
      'unknown key "bogus" (expected one of latency, routes, burst503, build, tokenLifetimeSeconds)',
      'routes[0].path must be a string',
      'routes[0].errorRate must be a number in [0, 1]',
    ]);
    env = createTestSim();
    const result = await env.admin('POST', '/_sim/faults', { burst503: -1 });
    expect(result.status).toBe(400);
    expect((result.body as { error: { message: string } }).error.message).toContain('burst503 must be an integer >= 0');
  });
});
