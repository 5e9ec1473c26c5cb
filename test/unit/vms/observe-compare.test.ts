import { describe, expect, it } from 'vitest';
import { sameColumnValue } from '../../../src/services/vms/observe.ts';

describe('sameColumnValue', () => {
  const stored = [{ network: 'demo-net', addr: '10.10.0.2', version: 4, type: 'fixed', mac: 'fa:16:3e:00:00:01' }];

  it('treats reordered jsonb keys as unchanged', () => {
    const observed = [{ addr: '10.10.0.2', mac: 'fa:16:3e:00:00:01', network: 'demo-net', type: 'fixed', version: 4 }];
    expect(sameColumnValue('addresses', stored, observed)).toBe(true);
  });

  it('treats an undefined field like a missing one', () => {
    const observed = [{ ...stored[0], label: undefined }];
    expect(sameColumnValue('addresses', stored, observed)).toBe(true);
  });

  it('reports a changed address', () => {
    const observed = [{ ...stored[0], addr: '10.10.0.3' }];
    expect(sameColumnValue('addresses', stored, observed)).toBe(false);
  });

  it('compares dates by time', () => {
    expect(sameColumnValue('launched_at', new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T00:00:00.000Z'))).toBe(true);
    expect(sameColumnValue('launched_at', null, new Date('2026-12-04T00:00:00Z'))).toBe(false);
  });
});
