import { describe, expect, it } from 'vitest';

import type { FlavorInfo } from '../../../src/domain/flavor-choice.ts';
import {
  chooseFlavor,
  findFlavorShortfalls,
  isFlavorAccessible,
  validateFlavorChoice,
} from '../../../src/domain/flavor-choice.ts';

function flavor(id: string, vcpus: number, ramMiB: number, diskGiB: number, extra: Partial<FlavorInfo> = {}): FlavorInfo {
  return { id, name: id, vcpus, ramMiB, diskGiB, isPublic: true, ...extra };
}

const CATALOGUE: FlavorInfo[] = [
  flavor('m1.large', 4, 8192, 80),
  flavor('m1.small', 1, 2048, 20),
  flavor('m1.medium', 2, 4096, 40),
  flavor('m1.xlarge', 8, 16384, 160),
];

describe('chooseFlavor', () => {
  it('chooses smallest fitting flavor', () => {
    const result = chooseFlavor(CATALOGUE, { cpu: 2, memoryGiB: 4, diskGiB: 40 });

    expect(result).toEqual({ ok: true, flavor: CATALOGUE[2], bootFromVolume: false, rootDiskGiB: 40 });
  });

  it('rejects 4000 MiB for a 4 GiB request', () => {
    const flavors = [flavor('almost-4g', 2, 4000, 40), flavor('exact-4g', 2, 4096, 40)];

    const result = chooseFlavor(flavors, { cpu: 2, memoryGiB: 4, diskGiB: 40 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'exact-4g' } });
  });

  it('reports no fit when only 4000 MiB exists', () => {
    const result = chooseFlavor([flavor('almost-4g', 2, 4000, 40)], { cpu: 2, memoryGiB: 4, diskGiB: 40 });

    expect(result).toEqual({
      ok: false,
      code: 'NO_FLAVOR_FITS',
      details: { cpu: 2, memoryGiB: 4, diskGiB: 40, minRamMiB: 0, minDiskGiB: 0 },
    });
  });

  it('orders by vcpus before RAM', () => {
    const flavors = [flavor('a-2c-16g', 2, 16384, 40), flavor('b-4c-4g', 4, 4096, 40)];

    const result = chooseFlavor(flavors, { cpu: 2, memoryGiB: 4, diskGiB: 20 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'a-2c-16g' } });
  });

  it('orders by RAM then disk then name', () => {
    const flavors = [
      flavor('z-disk-40', 2, 4096, 40),
      flavor('b-disk-20', 2, 4096, 20),
      flavor('a-disk-20', 2, 4096, 20),
      flavor('ram-8g', 2, 8192, 20),
    ];

    const result = chooseFlavor(flavors, { cpu: 2, memoryGiB: 4, diskGiB: 20 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'a-disk-20' } });
  });

  it('gives same choice for any input order', () => {
    const reversed = [...CATALOGUE].reverse();

    const first = chooseFlavor(CATALOGUE, { cpu: 1, memoryGiB: 1, diskGiB: 10 });
    const second = chooseFlavor(reversed, { cpu: 1, memoryGiB: 1, diskGiB: 10 });

    expect(first).toMatchObject({ ok: true, flavor: { id: 'm1.small' } });
    expect(second).toMatchObject({ ok: true, flavor: { id: 'm1.small' } });
  });

  it('applies image min_ram in MiB', () => {
    const result = chooseFlavor(CATALOGUE, { cpu: 1, memoryGiB: 1, diskGiB: 20 }, { minRamMiB: 3072, minDiskGiB: 0 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'm1.medium' } });
  });

  it('applies image min_disk in GiB', () => {
    const result = chooseFlavor(CATALOGUE, { cpu: 1, memoryGiB: 1, diskGiB: 10 }, { minRamMiB: 0, minDiskGiB: 60 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'm1.large' } });
  });

  it('includes image minimums in no-fit details', () => {
    const result = chooseFlavor(CATALOGUE, { cpu: 16, memoryGiB: 1, diskGiB: 10 }, { minRamMiB: 512, minDiskGiB: 8 });

    expect(result).toEqual({
      ok: false,
      code: 'NO_FLAVOR_FITS',
      details: { cpu: 16, memoryGiB: 1, diskGiB: 10, minRamMiB: 512, minDiskGiB: 8 },
    });
  });

  it('prefers local disk over disk 0', () => {
    const flavors = [flavor('bfv-2c', 2, 4096, 0), flavor('local-4c', 4, 8192, 100)];

    const result = chooseFlavor(flavors, { cpu: 2, memoryGiB: 4, diskGiB: 50 });

    expect(result).toEqual({ ok: true, flavor: flavors[1], bootFromVolume: false, rootDiskGiB: 100 });
  });

  it('falls back to disk 0 with boot volume', () => {
    const flavors = [flavor('bfv-2c', 2, 4096, 0), flavor('local-small', 2, 4096, 20)];

    const result = chooseFlavor(flavors, { cpu: 2, memoryGiB: 4, diskGiB: 200 });

    expect(result).toEqual({
      ok: true,
      flavor: flavors[0],
      bootFromVolume: true,
      volumeSizeGiB: 200,
      rootDiskGiB: 200,
    });
  });

  it('raises boot volume to image min_disk', () => {
    const result = chooseFlavor([flavor('bfv', 2, 4096, 0)], { cpu: 1, memoryGiB: 1, diskGiB: 10 }, {
      minRamMiB: 0,
      minDiskGiB: 40,
    });

    expect(result).toMatchObject({ ok: true, bootFromVolume: true, volumeSizeGiB: 40, rootDiskGiB: 40 });
  });

  it('chooses smallest disk-0 flavor', () => {
    const flavors = [flavor('bfv-4c', 4, 8192, 0), flavor('bfv-2c', 2, 4096, 0)];

    const result = chooseFlavor(flavors, { cpu: 2, memoryGiB: 2, diskGiB: 30 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'bfv-2c' } });
  });

  it('skips private flavors without access', () => {
    const flavors = [
      flavor('private-small', 1, 1024, 20, { isPublic: false }),
      flavor('private-denied', 1, 1024, 20, { isPublic: false, accessible: false }),
      flavor('public-large', 4, 8192, 80),
    ];

    const result = chooseFlavor(flavors, { cpu: 1, memoryGiB: 1, diskGiB: 20 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'public-large' } });
  });

  it('uses private flavor with access', () => {
    const flavors = [
      flavor('private-small', 1, 1024, 20, { isPublic: false, accessible: true }),
      flavor('public-large', 4, 8192, 80),
    ];

    const result = chooseFlavor(flavors, { cpu: 1, memoryGiB: 1, diskGiB: 20 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'private-small' } });
  });

  it.each([
    ['cpu', 0],
    ['cpu', Number.NaN],
    ['memoryGiB', -4],
    ['memoryGiB', Number.POSITIVE_INFINITY],
    ['diskGiB', 0],
  ] as const)('rejects request %s = %s', (field, value) => {
    const request = { cpu: 1, memoryGiB: 1, diskGiB: 10, [field]: value };

    expect(chooseFlavor(CATALOGUE, request)).toEqual({ ok: false, code: 'INVALID_REQUEST', details: { field, value } });
    expect(validateFlavorChoice(CATALOGUE, 'm1.large', request)).toEqual({
      ok: false,
      code: 'INVALID_REQUEST',
      details: { field, value },
    });
  });

  it('skips a flavor with NaN RAM', () => {
    const flavors = [flavor('broken', 1, Number.NaN, 20), flavor('good', 2, 2048, 20)];

    const result = chooseFlavor(flavors, { cpu: 1, memoryGiB: 1, diskGiB: 10 });

    expect(result).toMatchObject({ ok: true, flavor: { id: 'good' } });
  });

  it('reports no fit for empty list', () => {
    expect(chooseFlavor([], { cpu: 1, memoryGiB: 1, diskGiB: 10 }).ok).toBe(false);
  });
});

describe('validateFlavorChoice', () => {
  it('accepts a fitting flavor', () => {
    const result = validateFlavorChoice(CATALOGUE, 'm1.large', { cpu: 2, memoryGiB: 4, diskGiB: 40 });

    expect(result).toEqual({ ok: true, flavor: CATALOGUE[0], bootFromVolume: false, rootDiskGiB: 80 });
  });

  it('rejects an unknown id', () => {
    expect(validateFlavorChoice(CATALOGUE, 'missing', { cpu: 1, memoryGiB: 1, diskGiB: 10 })).toEqual({
      ok: false,
      code: 'FLAVOR_NOT_FOUND',
      details: { flavorId: 'missing' },
    });
  });

  it('rejects an inaccessible private flavor', () => {
    const flavors = [flavor('secret', 8, 16384, 100, { isPublic: false })];

    expect(validateFlavorChoice(flavors, 'secret', { cpu: 1, memoryGiB: 1, diskGiB: 10 })).toEqual({
      ok: false,
      code: 'FLAVOR_NOT_ACCESSIBLE',
      details: { flavorId: 'secret', flavorName: 'secret' },
    });
  });

  it('names every shortfall', () => {
    const result = validateFlavorChoice(CATALOGUE, 'm1.small', { cpu: 2, memoryGiB: 4, diskGiB: 50 });

    expect(result).toEqual({
      ok: false,
      code: 'FLAVOR_TOO_SMALL',
      details: {
        flavorId: 'm1.small',
        flavorName: 'm1.small',
        shortfalls: [
          { dimension: 'cpu', required: 2, available: 1, unit: 'cores' },
          { dimension: 'memory', required: 4096, available: 2048, unit: 'MiB' },
          { dimension: 'disk', required: 50, available: 20, unit: 'GiB' },
        ],
      },
    });
  });

  it('names image min_ram shortfall', () => {
    const result = validateFlavorChoice(CATALOGUE, 'm1.small', { cpu: 1, memoryGiB: 1, diskGiB: 10 }, {
      minRamMiB: 4096,
      minDiskGiB: 0,
    });

    expect(result).toMatchObject({
      ok: false,
      code: 'FLAVOR_TOO_SMALL',
      details: { shortfalls: [{ dimension: 'memory', required: 4096, available: 2048, unit: 'MiB' }] },
    });
  });

  it('accepts explicit disk-0 flavor as boot from volume', () => {
    const result = validateFlavorChoice([flavor('bfv', 2, 4096, 0)], 'bfv', { cpu: 2, memoryGiB: 4, diskGiB: 500 });

    expect(result).toMatchObject({ ok: true, bootFromVolume: true, volumeSizeGiB: 500, rootDiskGiB: 500 });
  });
});

describe('findFlavorShortfalls', () => {
  it('returns none for exact fit', () => {
    expect(findFlavorShortfalls(flavor('exact', 2, 4096, 40), { cpu: 2, memoryGiB: 4, diskGiB: 40 })).toEqual([]);
  });

  it('ignores disk for disk-0 flavor', () => {
    expect(findFlavorShortfalls(flavor('bfv', 2, 4096, 0), { cpu: 2, memoryGiB: 4, diskGiB: 4000 })).toEqual([]);
  });

  it('reports 4095 MiB as one short', () => {
    expect(findFlavorShortfalls(flavor('odd', 2, 4095, 40), { cpu: 2, memoryGiB: 4, diskGiB: 40 })).toEqual([
      { dimension: 'memory', required: 4096, available: 4095, unit: 'MiB' },
    ]);
  });
});

describe('isFlavorAccessible', () => {
  it.each([
    [true, undefined, true],
    [true, false, true],
    [false, true, true],
    [false, false, false],
    [false, undefined, false],
  ] as const)('public %s access %s gives %s', (isPublic, accessible, expected) => {
    const candidate = flavor('f', 1, 1024, 10, accessible === undefined ? { isPublic } : { isPublic, accessible });

    expect(isFlavorAccessible(candidate)).toBe(expected);
  });
});
