import { describe, expect, it } from 'vitest';
import { isUniqueViolation, uniqueViolationConstraint } from '../../../src/db/errors.ts';
import { likePattern, parseSort } from '../../../src/db/paging.ts';
import { sortParam } from '../../../src/http/pagination.ts';

describe('sort parameter', () => {
  it('accepts each field in both directions', () => {
    const schema = sortParam(['name', 'created_at'], 'name') as unknown as { enum: string[]; default: string };
    expect(schema.enum).toEqual(['name', '-name', 'created_at', '-created_at']);
    expect(schema.default).toBe('name');
  });

  it.each([
    [undefined, { field: 'name', direction: 'asc' }],
    ['created_at', { field: 'created_at', direction: 'asc' }],
    ['-created_at', { field: 'created_at', direction: 'desc' }],
  ] as const)('parses %s', (value, expected) => {
    expect(parseSort<'name' | 'created_at'>(value, 'name')).toEqual(expected);
  });

  it('uses a descending default', () => {
    expect(parseSort<'created_at'>(undefined, '-created_at')).toEqual({ field: 'created_at', direction: 'desc' });
  });
});

describe('LIKE pattern', () => {
  it.each([
    ['abc', '%abc%'],
    ['50%', '%50\\%%'],
    ['a_b', '%a\\_b%'],
    ['back\\slash', '%back\\\\slash%'],
  ])('escapes %s', (text, expected) => {
    expect(likePattern(text)).toBe(expected);
  });
});

describe('unique violation', () => {
  const violation = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', constraint: 'tenants_code_key' });

  it('matches any or one named constraint', () => {
    expect(isUniqueViolation(violation)).toBe(true);
    expect(isUniqueViolation(violation, 'tenants_code_key')).toBe(true);
    expect(isUniqueViolation(violation, 'tenants_name_key')).toBe(false);
    expect(uniqueViolationConstraint(violation)).toBe('tenants_code_key');
  });

  it('ignores other errors', () => {
    expect(isUniqueViolation(Object.assign(new Error('fk'), { code: '23503' }))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
    expect(uniqueViolationConstraint(new Error('plain'))).toBeNull();
  });
});
