import { describe, expect, it } from 'vitest';

import type { CapacityOrder, CapacityVm, NovaAbsoluteLimits } from '../../../src/domain/capacity.ts';
import {
  checkCapacity,
  checkNovaLimits,
  computeOrderedCapacity,
  computeRemainingCapacity,
  computeUsedCapacity,
  formatCapacityShortfall,
} from '../../../src/domain/capacity.ts';

function order(extra: Partial<CapacityOrder>): CapacityOrder {
  return {
    cpu: 8,
    memoryGiB: 16,
    storageGiB: 500,
    status: 'active',
    validFrom: new Date('2026-01-01T00:00:00Z'),
    validUntil: new Date('2027-01-01T00:00:00Z'),
    ...extra,
  };
}

function vm(extra: Partial<CapacityVm>): CapacityVm {
  return { status: 'running', cpu: 2, memoryGiB: 4, rootDiskGiB: 40, volumeSizesGiB: [], ...extra };
}

const AT = new Date('2026-12-04T08:00:00Z');

describe('computeOrderedCapacity', () => {
  it('sums active valid orders', () => {
    const orders = [order({}), order({ cpu: 4, memoryGiB: 8, storageGiB: 100, validUntil: null })];

    expect(computeOrderedCapacity(orders, AT)).toEqual({ cpu: 12, memoryGiB: 24, storageGiB: 600 });
  });

  it.each(['pending', 'cancelled', 'expired', 'ACTIVE'])('ignores %s orders', (status) => {
    expect(computeOrderedCapacity([order({ status })], AT)).toEqual({ cpu: 0, memoryGiB: 0, storageGiB: 0 });
  });

  it('includes validFrom and excludes validUntil', () => {
    const starting = order({ validFrom: AT, validUntil: null });
    const ending = order({ validFrom: new Date('2026-01-01T00:00:00Z'), validUntil: AT });

    expect(computeOrderedCapacity([starting], AT).cpu).toBe(8);
    expect(computeOrderedCapacity([ending], AT).cpu).toBe(0);
  });

  it('ignores orders not yet valid', () => {
    const future = order({ validFrom: new Date('2027-01-01T00:00:00Z'), validUntil: null });

    expect(computeOrderedCapacity([future], AT).cpu).toBe(0);
  });
});

describe('computeUsedCapacity', () => {
  it('sums live VMs with volumes', () => {
    const vms = [vm({ volumeSizesGiB: [100, 50] }), vm({ status: 'stopped', cpu: 4, memoryGiB: 8, rootDiskGiB: 80 })];

    expect(computeUsedCapacity(vms)).toEqual({ cpu: 6, memoryGiB: 12, storageGiB: 270 });
  });

  it('skips deleted VMs', () => {
    expect(computeUsedCapacity([vm({ status: 'deleted' })])).toEqual({ cpu: 0, memoryGiB: 0, storageGiB: 0 });
  });

  it.each(['shelved', 'error', 'creating', 'unknown'] as const)('counts %s VMs', (status) => {
    expect(computeUsedCapacity([vm({ status })]).cpu).toBe(2);
  });
});

describe('computeRemainingCapacity', () => {
  it('keeps negative remainders', () => {
    const ordered = { cpu: 4, memoryGiB: 8, storageGiB: 100 };
    const used = { cpu: 6, memoryGiB: 8, storageGiB: 40 };

    const remaining = computeRemainingCapacity(ordered, used);

    expect(remaining).toEqual({ cpu: -2, memoryGiB: 0, storageGiB: 60 });
  });
});

describe('checkCapacity', () => {
  const remaining = { cpu: 4, memoryGiB: 4, storageGiB: 100 };

  it('accepts request equal to remaining', () => {
    expect(checkCapacity(remaining, { cpu: 4, memoryGiB: 4, storageGiB: 100 })).toEqual({ ok: true });
  });

  it('reports memory shortfall', () => {
    expect(checkCapacity(remaining, { cpu: 2, memoryGiB: 8, storageGiB: 40 })).toEqual({
      ok: false,
      exceeded: [{ dimension: 'memory', requested: 8, remaining: 4, unit: 'GiB' }],
    });
  });

  it('counts NaN request as exceeded', () => {
    expect(checkCapacity(remaining, { cpu: Number.NaN, memoryGiB: 1, storageGiB: 1 })).toEqual({
      ok: false,
      exceeded: [{ dimension: 'cpu', requested: Number.NaN, remaining: 4, unit: 'cores' }],
    });
  });

  it('reports every exceeded dimension', () => {
    const result = checkCapacity(remaining, { cpu: 8, memoryGiB: 8, storageGiB: 200 });

    expect(result).toMatchObject({
      ok: false,
      exceeded: [{ dimension: 'cpu' }, { dimension: 'memory' }, { dimension: 'storage' }],
    });
  });
});

describe('formatCapacityShortfall', () => {
  it.each([
    [{ dimension: 'memory', requested: 8, remaining: 4, unit: 'GiB' }, '内存不足：需要 8 GiB，剩余 4 GiB'],
    [{ dimension: 'cpu', requested: 4, remaining: 2, unit: 'cores' }, 'CPU 核数不足：需要 4 核，剩余 2 核'],
    [{ dimension: 'storage', requested: 200, remaining: -20, unit: 'GiB' }, '存储不足：需要 200 GiB，剩余 0 GiB'],
  ] as const)('formats %j in Chinese', (shortfall, expected) => {
    expect(formatCapacityShortfall(shortfall)).toBe(expected);
  });

  it('formats in English', () => {
    const message = formatCapacityShortfall({ dimension: 'memory', requested: 8, remaining: 4, unit: 'GiB' }, 'en-US');

    expect(message).toBe('Not enough memory: 8 GiB requested, 4 GiB remaining');
  });

  it('uses singular core for one in English', () => {
    const message = formatCapacityShortfall({ dimension: 'cpu', requested: 1, remaining: 0, unit: 'cores' }, 'en-US');

    expect(message).toBe('Not enough CPU: 1 core requested, 0 cores remaining');
  });
});

describe('checkNovaLimits', () => {
  const limits: NovaAbsoluteLimits = {
    maxTotalInstances: 10,
    totalInstancesUsed: 9,
    maxTotalCores: 20,
    totalCoresUsed: 16,
    maxTotalRAMSize: 51200,
    totalRAMUsed: 40960,
  };

  it('accepts a request that fits exactly', () => {
    expect(checkNovaLimits(limits, { instances: 1, cores: 4, ramMiB: 10240 })).toEqual({ ok: true });
  });

  it('reports each exceeded quota', () => {
    expect(checkNovaLimits(limits, { instances: 2, cores: 8, ramMiB: 16384 })).toEqual({
      ok: false,
      exceeded: [
        { quota: 'instances', limit: 10, used: 9, requested: 2, unit: 'instances' },
        { quota: 'cores', limit: 20, used: 16, requested: 8, unit: 'cores' },
        { quota: 'ram', limit: 51200, used: 40960, requested: 16384, unit: 'MiB' },
      ],
    });
  });

  it('treats -1 as unlimited', () => {
    const unlimited = { ...limits, maxTotalInstances: -1, maxTotalCores: -1, maxTotalRAMSize: -1 };

    expect(checkNovaLimits(unlimited, { instances: 100, cores: 1000, ramMiB: 10_000_000 })).toEqual({ ok: true });
  });

  it('counts NaN request as exceeded', () => {
    expect(checkNovaLimits(limits, { instances: 1, cores: Number.NaN, ramMiB: 1 })).toMatchObject({
      ok: false,
      exceeded: [{ quota: 'cores' }],
    });
  });

  it('reports only RAM when only RAM exceeds', () => {
    const result = checkNovaLimits(limits, { instances: 1, cores: 1, ramMiB: 10241 });

    expect(result).toMatchObject({ ok: false, exceeded: [{ quota: 'ram' }] });
  });
});
