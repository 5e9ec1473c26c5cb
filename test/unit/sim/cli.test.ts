import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simulatorOptionsFrom } from '../../../src/sim/cli.ts';
import { cloudsYaml } from '../../../src/sim/clouds-yaml.ts';
import { defaultUsers } from '../../../src/sim/demo-data.ts';

let folder: string | undefined;

afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

describe('sim command options', () => {
  it('defaults to 127.0.0.1:8780 and seed 42', () => {
    const options = simulatorOptionsFrom({ adminSecret: 'x' });
    expect(options.port).toBe(8780);
    expect(options.host).toBe('127.0.0.1');
    expect(options.seed).toBe(42);
    expect(options.faults).toBeUndefined();
  });

  it('reads config and faults files', () => {
    folder = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const config = join(folder, 'sim.yaml');
    const faults = join(folder, 'faults.json');
    writeFileSync(config, 'users:\n  - { name: ops, password: pw, project: ops, role: admin }\nmaxLimit: 50\ntimings: { spawning: 10 }\n');
    writeFileSync(faults, JSON.stringify({ burst503: 2 }));
    const options = simulatorOptionsFrom({ config, faults, seed: 'abc', latency: '30', buildErrorRate: '0.5' });
    expect(options.users).toEqual([{ name: 'ops', password: 'pw', project: 'ops', role: 'admin' }]);
    expect(options.maxLimit).toBe(50);
    expect(options.timings).toEqual({ spawning: 10 });
    expect(options.seed).toBe('abc');
    expect(options.faults).toEqual({ burst503: 2, latency: { distribution: 'fixed', ms: 30 }, build: { errorRate: 0.5 } });
  });

  it('rejects invalid values with the option name', () => {
    expect(() => simulatorOptionsFrom({ port: 'eighty' })).toThrow('--port must be a whole number >= 0, got "eighty"');
    expect(() => simulatorOptionsFrom({ errorRate: '2' })).toThrow('--error-rate must be a number from 0 to 1, got "2"');
    expect(() => simulatorOptionsFrom({ faults: '/nonexistent/faults.yaml' })).toThrow(/cannot read faults file/);
  });

  it('clouds.yaml lists one cloud per user', () => {
    const text = cloudsYaml('http://127.0.0.1:8780/identity/v3', defaultUsers);
    expect(text).toContain('sim-admin:');
    expect(text).toContain('sim-demo:');
    expect(text).toContain('sim-alt:');
    expect(text).toContain('auth_url: http://127.0.0.1:8780/identity/v3');
    expect(text).toContain('project_domain_name: Default');
    expect(text).toContain('interface: public');
  });
});
