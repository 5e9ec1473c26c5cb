import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { FieldCryptoError } from '../../../src/services/crypto/errors.ts';
import type { FieldCryptoErrorCode } from '../../../src/services/crypto/errors.ts';
import { decryptField, encryptField, needsReencryption } from '../../../src/services/crypto/field-cipher.ts';
import { Keyring, parseKeyText } from '../../../src/services/crypto/keyring.ts';

const PHONE = 'contact.phone';
const EMAIL = 'contact.email';

function makeKey(id: string) {
  return parseKeyText(`${id}:${randomBytes(32).toString('base64')}`, 'in TEST');
}

function captureFieldError(action: () => unknown): FieldCryptoError {
  try {
    action();
  } catch (error) {
    if (error instanceof FieldCryptoError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the action to throw FieldCryptoError');
}

/** Replaces one base64url character with another that decodes to different bits. */
function flipCharacter(text: string, index: number): string {
  const original = text[index];
  const replacement = original === 'A' ? 'Q' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

function replacePart(stored: string, partIndex: number, change: (part: string) => string): string {
  const parts = stored.split('.');
  parts[partIndex] = change(parts[partIndex] ?? '');
  return parts.join('.');
}

describe('encryptField and decryptField', () => {
  const keyring = new Keyring(makeKey('k1'));

  it.each([
    ['phone number', '13812341234'],
    ['email address', 'zhang.san@example.com'],
    ['Chinese text', '张三 北京市海淀区 联系电话'],
    ['emoji and mixed scripts', 'Zoë 🚀 李四'],
    ['empty string', ''],
    ['long text', 'x'.repeat(10_000)],
  ])('round-trips %s', (_case, plaintext) => {
    const stored = encryptField(keyring, plaintext, PHONE);

    expect(decryptField(keyring, stored, PHONE)).toBe(plaintext);
  });

  it('writes the v1 format with key id', () => {
    const stored = encryptField(keyring, '13812341234', PHONE);
    const parts = stored.split('.');

    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe('k1');
    expect(Buffer.from(parts[2] ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3] ?? '', 'base64url')).toHaveLength(Buffer.byteLength('13812341234'));
    expect(Buffer.from(parts[4] ?? '', 'base64url')).toHaveLength(16);
    for (const part of parts) {
      expect(part).toMatch(/^[A-Za-z0-9_-]*$/);
    }
  });

  it('keeps plaintext out of the value', () => {
    const stored = encryptField(keyring, 'zhang.san@example.com', EMAIL);

    expect(stored).not.toContain('zhang');
    expect(stored).not.toContain(Buffer.from('zhang.san').toString('base64url'));
  });

  it('uses a fresh IV per value', () => {
    const values = Array.from({ length: 200 }, () => encryptField(keyring, 'same text', PHONE));
    const ivs = values.map((stored) => stored.split('.')[2]);

    expect(new Set(values).size).toBe(values.length);
    expect(new Set(ivs).size).toBe(values.length);
  });

  it('rejects a different context', () => {
    const stored = encryptField(keyring, '13812341234', PHONE);

    const error = captureFieldError(() => decryptField(keyring, stored, EMAIL));

    expect(error.code).toBe('CRYPTO_DECRYPT_FAILED');
    expect(error.message).toContain(EMAIL);
    expect(error.message).not.toContain('13812341234');
  });

  it.each([
    ['IV', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('rejects tampered %s', (_part, partIndex) => {
    const stored = encryptField(keyring, '13812341234', PHONE);

    const tampered = replacePart(stored, partIndex, (part) => flipCharacter(part, 0));

    expect(tampered).not.toBe(stored);
    expect(captureFieldError(() => decryptField(keyring, tampered, PHONE)).code).toBe('CRYPTO_DECRYPT_FAILED');
  });

  it('rejects non-canonical tag encoding', () => {
    // 16 bytes take 22 base64url characters, so the last one carries 4 unused bits. Changing only
    // those bits must not give a second accepted spelling of the same value.
    const stored = encryptField(keyring, '13812341234', PHONE);
    const tagText = stored.split('.')[4] ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastIndex = alphabet.indexOf(tagText.at(-1) ?? '');
    const sameBitsCharacter = alphabet[lastIndex ^ 1] ?? '';

    const tampered = replacePart(stored, 4, (part) => part.slice(0, -1) + sameBitsCharacter);

    expect(Buffer.from(tampered.split('.')[4] ?? '', 'base64url').equals(Buffer.from(tagText, 'base64url'))).toBe(true);
    expect(captureFieldError(() => decryptField(keyring, tampered, PHONE)).code).toBe('CRYPTO_VALUE_MALFORMED');
  });

  it('rejects other bytes under same id', () => {
    const stored = encryptField(keyring, '13812341234', PHONE);
    const impostor = new Keyring(makeKey('k1'));

    expect(captureFieldError(() => decryptField(impostor, stored, PHONE)).code).toBe('CRYPTO_DECRYPT_FAILED');
  });

  it('names an unknown key id', () => {
    const stored = encryptField(new Keyring(makeKey('retired-2024')), '13812341234', PHONE);

    const error = captureFieldError(() => decryptField(keyring, stored, PHONE));

    expect(error.code).toBe('CRYPTO_KEY_UNKNOWN');
    expect(error.message).toContain('"retired-2024"');
    expect(error.message).toContain('PORTAL_ENCRYPTION_OLD_KEYS');
    expect(error.message).toContain(PHONE);
  });

  it.each<[string, string]>([
    ['plaintext', '13812341234'],
    ['empty text', ''],
    ['too few parts', 'v1.k1.AAAAAAAAAAAAAAAA.AAAA'],
    ['too many parts', 'v1.k1.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA.x'],
    ['unknown version', 'v2.k1.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['invalid key id', 'v1.k*1.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['empty key id', 'v1..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['short IV', 'v1.k1.AAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['short tag', 'v1.k1.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAA'],
    ['padded base64', 'v1.k1.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA=='],
    ['standard base64 characters', 'v1.k1.AAAAAAAAAAAAAAA+.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
  ])('rejects malformed value: %s', (_case, stored) => {
    const error = captureFieldError(() => decryptField(keyring, stored, PHONE));

    expect(error.code).toBe('CRYPTO_VALUE_MALFORMED' satisfies FieldCryptoErrorCode);
    expect(error.message).toContain(PHONE);
    expect(error.name).toBe('FieldCryptoError');
  });

  it('keeps the stored value out of errors', () => {
    const error = captureFieldError(() => decryptField(keyring, '13812341234', PHONE));

    expect(error.message).not.toContain('13812341234');
  });
});

describe('key rotation', () => {
  it('decrypts old values and re-encrypts with the new key', () => {
    const keyA = makeKey('key-a');
    const keyB = makeKey('key-b');
    const before = new Keyring(keyA);
    const stored = encryptField(before, '张三 13812341234', PHONE);

    const after = new Keyring(keyB, [keyA]);

    expect(needsReencryption(before, stored)).toBe(false);
    expect(needsReencryption(after, stored)).toBe(true);
    expect(decryptField(after, stored, PHONE)).toBe('张三 13812341234');

    const rewritten = encryptField(after, decryptField(after, stored, PHONE), PHONE);

    expect(rewritten.split('.')[1]).toBe('key-b');
    expect(needsReencryption(after, rewritten)).toBe(false);
    expect(decryptField(after, rewritten, PHONE)).toBe('张三 13812341234');
    expect(captureFieldError(() => decryptField(before, rewritten, PHONE)).code).toBe('CRYPTO_KEY_UNKNOWN');
  });

  it('fails without the old key', () => {
    const keyA = makeKey('key-a');
    const stored = encryptField(new Keyring(keyA), '13812341234', PHONE);

    const error = captureFieldError(() => decryptField(new Keyring(makeKey('key-b')), stored, PHONE));

    expect(error.code).toBe('CRYPTO_KEY_UNKNOWN');
    expect(error.message).toContain('"key-a"');
  });

  it('rejects malformed values in needsReencryption', () => {
    const keyring = new Keyring(makeKey('k1'));

    expect(captureFieldError(() => needsReencryption(keyring, 'plain text')).code).toBe('CRYPTO_VALUE_MALFORMED');
  });
});
