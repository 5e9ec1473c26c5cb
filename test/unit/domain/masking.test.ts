import { describe, expect, it } from 'vitest';

import { maskEmail, maskPhone } from '../../../src/domain/masking.ts';

describe('maskPhone', () => {
  it.each([
    ['13812341234', '138****1234'],
    [' 13812341234 ', '138****1234'],
    ['12345678', '123*5678'],
    ['+8613812341234', '+86*******1234'],
    ['1234567', '*****67'],
    ['123', '*23'],
    ['12', '**'],
    ['1', '*'],
    ['', ''],
  ])('masks %j as %j', (phone, expected) => {
    expect(maskPhone(phone)).toBe(expected);
  });

  it('keeps the length', () => {
    expect(maskPhone('02112345678')).toHaveLength(11);
  });
});

describe('maskEmail', () => {
  it.each([
    ['zhang@example.com', 'z***@example.com'],
    ['zh@example.com', 'z***@example.com'],
    ['a@example.com', '***@example.com'],
    ['@example.com', '***@example.com'],
    ['张三@例子.中国', '张***@例子.中国'],
    ['"a@b"@example.com', '"***@example.com'],
    ['not-an-email', '***'],
    [' li.si@example.cn ', 'l***@example.cn'],
  ])('masks %j as %j', (email, expected) => {
    expect(maskEmail(email)).toBe(expected);
  });
});
