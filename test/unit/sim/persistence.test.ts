import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/sim/index.ts';
import type { TestSim } from './helpers.ts';
import { createTestSim, states } from './helpers.ts';

let folder: string;
const envs: TestSim[] = [];

afterEach(async () => {
  for (const env of envs.splice(0)) await env.sim.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('snapshot persistence', () => {
  it('servers survive a restart', async () => {
    folder = mkdtempSync(join(tmpdir(), 'sim-persist-'));
    const clock = new ManualClock('2026-06-01T00:00:00Z');
    const first = createTestSim({ dataDir: folder, clock });
    envs.push(first);
    const token = await first.login();
    const running = await first.createServer(token, 'keep-running');
    clock.advance(60_000);
    const stopping = await first.createServer(token, 'stop-me');
    clock.advance(60_000);
    await first.request('POST', `/compute/v2.1/servers/${stopping}/action`, { token, body: { 'os-stop': null } });
    const before = await first.server(token, running);
    await first.sim.stop();
    envs.pop();

    expect(readdirSync(folder)).toEqual(['sim-state.json']);

    clock.advance(10_000);
    const second = createTestSim({ dataDir: folder, clock });
    envs.push(second);
    const token2 = await second.login();
    expect(await second.server(token2, running)).toEqual(before);
    // The stop was in flight when the snapshot was written; it completes after the restart.
    expect(states(await second.server(token2, stopping))).toEqual(['SHUTOFF', 'stopped', null, 4]);

    const next = await second.createServer(token2, 'after-restart');
    expect([running, stopping]).not.toContain(next);
    clock.advance(60_000);
    const addresses = (await second.server(token2, next))?.addresses as Record<string, { addr: string }[]>;
    expect(addresses['demo-net']?.[0]?.addr).toBe('10.10.0.4');
  });

  it('no data dir keeps state in memory only', async () => {
    folder = mkdtempSync(join(tmpdir(), 'sim-persist-'));
    const env = createTestSim();
    envs.push(env);
    await env.createServer(await env.login());
    await env.sim.stop();
    envs.pop();
    expect(readdirSync(folder)).toEqual([]);
  });
});
