import { describe, expect, it } from 'vitest';

import {
  checkDisplayName,
  checkVmName,
  checkVmRequestLimits,
  DEFAULT_VM_REQUEST_LIMITS,
} from '../../../src/domain/validation-limits.ts';

describe('checkVmRequestLimits', () => {
  it('has the default ranges', () => {
    expect(DEFAULT_VM_REQUEST_LIMITS).toEqual({
      cpu: { min: 1, max: 64 },
      memoryGiB: { min: 1, max: 512 },
      diskGiB: { min: 10, max: 10_000 },
    });
  });

  it.each([
    { cpu: 1, memoryGiB: 1, diskGiB: 10 },
    { cpu: 64, memoryGiB: 512, diskGiB: 10_000 },
  ])('accepts boundary %j', (request) => {
    expect(checkVmRequestLimits(request)).toEqual({ ok: true });
  });

  it.each([
    ['cpu', 0, 'below_min'],
    ['cpu', 65, 'above_max'],
    ['cpu', 1.5, 'not_integer'],
    ['memoryGiB', 0, 'below_min'],
    ['memoryGiB', 513, 'above_max'],
    ['memoryGiB', Number.NaN, 'not_integer'],
    ['diskGiB', 9, 'below_min'],
    ['diskGiB', 10_001, 'above_max'],
    ['diskGiB', Number.POSITIVE_INFINITY, 'not_integer'],
  ] as const)('rejects %s = %s as %s', (field, value, reason) => {
    const request = { cpu: 2, memoryGiB: 4, diskGiB: 40, [field]: value };

    const result = checkVmRequestLimits(request);

    expect(result).toEqual({
      ok: false,
      violations: [
        expect.objectContaining({
          field,
          reason,
          min: DEFAULT_VM_REQUEST_LIMITS[field].min,
          max: DEFAULT_VM_REQUEST_LIMITS[field].max,
        }),
      ],
    });
  });

  it('lists every violation', () => {
    const result = checkVmRequestLimits({ cpu: 0, memoryGiB: 1024, diskGiB: 1 });

    expect(result).toMatchObject({
      ok: false,
      violations: [{ field: 'cpu' }, { field: 'memoryGiB' }, { field: 'diskGiB' }],
    });
  });

  it('uses configured limits', () => {
    const limits = { cpu: { min: 1, max: 8 }, memoryGiB: { min: 1, max: 32 }, diskGiB: { min: 20, max: 200 } };

    expect(checkVmRequestLimits({ cpu: 16, memoryGiB: 4, diskGiB: 40 }, limits).ok).toBe(false);
  });
});

describe('checkVmName', () => {
  it.each(['a', 'web-01', 'DB2', `a${'b'.repeat(62)}`])('accepts %j', (name) => {
    expect(checkVmName(name)).toEqual({ ok: true, value: name });
  });

  it.each([
    ['', 'empty'],
    [`a${'b'.repeat(63)}`, 'too_long'],
    ['1web', 'invalid_format'],
    ['-web', 'invalid_format'],
    ['web-', 'invalid_format'],
    ['web_01', 'invalid_format'],
    ['web.01', 'invalid_format'],
    ['web 01', 'invalid_format'],
    [' web', 'invalid_format'],
    ['服务器', 'invalid_format'],
  ])('rejects %j as %s', (name, reason) => {
    expect(checkVmName(name)).toMatchObject({ ok: false, reason, maxLength: 63 });
  });
});

describe('checkDisplayName', () => {
  it('accepts Chinese text', () => {
    expect(checkDisplayName('财务系统 应用服务器-01')).toEqual({ ok: true, value: '财务系统 应用服务器-01' });
  });

  it('trims surrounding whitespace', () => {
    expect(checkDisplayName('  数据库  ')).toEqual({ ok: true, value: '数据库' });
  });

  it('counts code points, not bytes', () => {
    expect(checkDisplayName('服'.repeat(64)).ok).toBe(true);
    expect(checkDisplayName('服'.repeat(65))).toMatchObject({ ok: false, reason: 'too_long', maxLength: 64 });
  });

  it.each(['', '   '])('rejects blank %j', (name) => {
    expect(checkDisplayName(name)).toMatchObject({ ok: false, reason: 'empty' });
  });

  it.each(['a\u0000b', 'line\nbreak', 'rtl\u202Eoverride', 'zero\u200Bwidth'])('rejects control or format in %j', (name) => {
    expect(checkDisplayName(name)).toMatchObject({ ok: false, reason: 'invalid_format' });
  });
});
