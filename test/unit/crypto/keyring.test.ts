import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { CryptoConfigError } from '../../../src/services/crypto/errors.ts';
import { deriveKeyId, generateKeyText, Keyring, parseKeyText } from '../../../src/services/crypto/keyring.ts';

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('parseKeyText', () => {
  it('reads id and standard base64', () => {
    const keyBytes = randomBytes(32);

    const key = parseKeyText(`k2025:${keyBytes.toString('base64')}`, 'in TEST');

    expect(key.id).toBe('k2025');
    expect(key.secret.export().equals(keyBytes)).toBe(true);
  });

  it('reads id and base64url', () => {
    // Runs of 0xfb bytes encode to "+" and "/" in base64, so the URL-safe text differs from it.
    const keyBytes = Buffer.alloc(32, 0xfb);
    keyBytes[31] = 0xff;
    const urlText = keyBytes.toString('base64url');
    expect(urlText).toMatch(/[-_]/);

    const key = parseKeyText(`rotated_2:${urlText}`, 'in TEST');

    expect(key.id).toBe('rotated_2');
    expect(key.secret.export().equals(keyBytes)).toBe(true);
  });

  it('derives id of a bare key', () => {
    const keyBytes = randomBytes(32);
    const expectedId = createHash('sha256').update(keyBytes).digest('hex').slice(0, 8);

    const key = parseKeyText(keyBytes.toString('base64'), 'in TEST');

    expect(key.id).toBe(expectedId);
    expect(deriveKeyId(keyBytes)).toBe(expectedId);
    expect(key.secret.export().equals(keyBytes)).toBe(true);
  });

  it('accepts unpadded base64 and surrounding whitespace', () => {
    const keyBytes = randomBytes(32);
    const unpadded = keyBytes.toString('base64').replace(/=+$/, '');

    const key = parseKeyText(`  a:${unpadded}\n`, 'in TEST');

    expect(key.id).toBe('a');
    expect(key.secret.export().equals(keyBytes)).toBe(true);
  });

  it.each([
    ['16-byte key', `k1:${randomBytes(16).toString('base64')}`, 'decodes to 16 bytes, expected 32'],
    ['33-byte key', `k1:${randomBytes(33).toString('base64')}`, 'decodes to 33 bytes, expected 32'],
    ['bare short key', randomBytes(31).toString('base64'), 'decodes to 31 bytes, expected 32'],
    ['empty key after id', 'k1:', 'the key is empty'],
    ['empty text', '   ', 'the key is empty'],
    ['non-base64 characters', `k1:${'*'.repeat(43)}`, 'not base64 or base64url'],
    ['mixed alphabets', `k1:+-${'A'.repeat(41)}`, 'not base64 or base64url'],
    ['empty id', `:${randomBytes(32).toString('base64')}`, 'key id before ":"'],
    ['id too long', `${'x'.repeat(33)}:${randomBytes(32).toString('base64')}`, 'key id before ":"'],
    ['id with dot', `k.1:${randomBytes(32).toString('base64')}`, 'key id before ":"'],
  ])('rejects %s', (_case, text, reason) => {
    const error = captureError(() => parseKeyText(text, 'in PORTAL_ENCRYPTION_KEY'));

    expect(error).toBeInstanceOf(CryptoConfigError);
    expect((error as CryptoConfigError).code).toBe('CRYPTO_KEY_INVALID');
    expect((error as CryptoConfigError).message).toContain('in PORTAL_ENCRYPTION_KEY');
    expect((error as CryptoConfigError).message).toContain(reason);
    expect((error as CryptoConfigError).message).toContain('openssl rand -base64 32');
  });

  it('keeps key material out of errors', () => {
    const material = randomBytes(16).toString('base64');
    const badId = randomBytes(32).toString('base64').slice(0, 40);

    const lengthError = captureError(() => parseKeyText(`k1:${material}`, 'in TEST')) as Error;
    const idError = captureError(() => parseKeyText(`${badId}:${material}`, 'in TEST')) as Error;

    expect(lengthError.message).not.toContain(material);
    expect(idError.message).not.toContain(material);
    expect(idError.message).not.toContain(badId);
  });
});

describe('generateKeyText', () => {
  it('produces parseable distinct keys', () => {
    const first = generateKeyText();
    const second = generateKeyText();

    expect(first).not.toBe(second);
    expect(parseKeyText(first, 'in TEST').id).toBe(first.split(':')[0]);
    expect(first.split(':')[0]).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('Keyring', () => {
  it('finds active and old keys', () => {
    const active = parseKeyText(`new:${randomBytes(32).toString('base64')}`, 'in TEST');
    const old = parseKeyText(`old:${randomBytes(32).toString('base64')}`, 'in TEST');

    const keyring = new Keyring(active, [old]);

    expect(keyring.activeKey).toBe(active);
    expect(keyring.findKey('old')).toBe(old);
    expect(keyring.findKey('new')).toBe(active);
    expect(keyring.findKey('missing')).toBeUndefined();
    expect(keyring.keyIds).toEqual(['new', 'old']);
  });

  it('accepts the active key repeated as old key', () => {
    const text = `same:${randomBytes(32).toString('base64')}`;

    const keyring = new Keyring(parseKeyText(text, 'in TEST'), [parseKeyText(text, 'in TEST')]);

    expect(keyring.keyIds).toEqual(['same']);
  });

  it('rejects one id with different bytes', () => {
    const active = parseKeyText(`dup:${randomBytes(32).toString('base64')}`, 'in TEST');
    const other = parseKeyText(`dup:${randomBytes(32).toString('base64')}`, 'in TEST');

    const error = captureError(() => new Keyring(active, [other]));

    expect(error).toBeInstanceOf(CryptoConfigError);
    expect((error as CryptoConfigError).code).toBe('CRYPTO_KEY_INVALID');
    expect((error as CryptoConfigError).message).toContain('"dup"');
  });

  it('hides key bytes from JSON and inspect', () => {
    const keyBytes = randomBytes(32);
    const keyring = new Keyring(parseKeyText(`k1:${keyBytes.toString('base64')}`, 'in TEST'));

    const printed = `${JSON.stringify(keyring)} ${inspect(keyring, { depth: 10, showHidden: true })}`;

    expect(printed).not.toContain(keyBytes.toString('base64'));
    expect(printed).not.toContain(keyBytes.toString('hex'));
  });
});
