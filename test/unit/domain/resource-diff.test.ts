import { describe, expect, it } from 'vitest';

import { computeResourceIncrease, diffResourceSpec } from '../../../src/domain/resource-diff.ts';

const BASE = { cpu: 2, memoryGiB: 4, storageGiB: 100 };

describe('diffResourceSpec', () => {
  it('returns nothing for no change', () => {
    expect(diffResourceSpec(BASE, { ...BASE })).toEqual([]);
  });

  it('reports a single increase', () => {
    expect(diffResourceSpec(BASE, { ...BASE, cpu: 4 })).toEqual([
      { dimension: 'cpu', oldValue: 2, newValue: 4, direction: 'increase' },
    ]);
  });

  it('reports a single decrease', () => {
    expect(diffResourceSpec(BASE, { ...BASE, storageGiB: 50 })).toEqual([
      { dimension: 'storageGiB', oldValue: 100, newValue: 50, direction: 'decrease' },
    ]);
  });

  it('returns one row per changed dimension', () => {
    expect(diffResourceSpec(BASE, { cpu: 1, memoryGiB: 8, storageGiB: 200 })).toEqual([
      { dimension: 'cpu', oldValue: 2, newValue: 1, direction: 'decrease' },
      { dimension: 'memoryGiB', oldValue: 4, newValue: 8, direction: 'increase' },
      { dimension: 'storageGiB', oldValue: 100, newValue: 200, direction: 'increase' },
    ]);
  });

  it('skips unchanged dimensions between changes', () => {
    const rows = diffResourceSpec(BASE, { cpu: 4, memoryGiB: 4, storageGiB: 120 });

    expect(rows.map((row) => row.dimension)).toEqual(['cpu', 'storageGiB']);
  });
});

describe('computeResourceIncrease', () => {
  it('keeps only growth', () => {
    expect(computeResourceIncrease(BASE, { cpu: 1, memoryGiB: 8, storageGiB: 100 })).toEqual({
      cpu: 0,
      memoryGiB: 4,
      storageGiB: 0,
    });
  });
});
