import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { CryptoConfigError } from '../../../src/services/crypto/errors.ts';
import { decryptField, encryptField } from '../../../src/services/crypto/field-cipher.ts';
import { loadKeyring } from '../../../src/services/crypto/key-source.ts';
import { Keyring, parseKeyText } from '../../../src/services/crypto/keyring.ts';

// Only environment-variable sources are tested here. Sources that read or create files are tested
// in test/integration/crypto, because unit tests touch nothing outside the process.

const NO_GENERATION = { generateInDataDir: null };

function keyText(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

async function captureConfigError(action: () => Promise<unknown>): Promise<CryptoConfigError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CryptoConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the action to throw CryptoConfigError');
}

describe('loadKeyring from environment', () => {
  it('reads the active key', async () => {
    const { keyring, source } = await loadKeyring({ PORTAL_ENCRYPTION_KEY: keyText('main') }, NO_GENERATION);

    expect(source).toBe('env');
    expect(keyring.activeKey.id).toBe('main');
    expect(keyring.keyIds).toEqual(['main']);
  });

  it('reads old keys as decrypt-only', async () => {
    const oldText = keyText('old-1');
    const bareOld = randomBytes(32).toString('base64url');
    const env = {
      PORTAL_ENCRYPTION_KEY: keyText('new'),
      PORTAL_ENCRYPTION_OLD_KEYS: ` ${oldText} ,, ${bareOld},`,
    };

    const { keyring } = await loadKeyring(env, NO_GENERATION);

    const bareId = parseKeyText(bareOld, 'in TEST').id;
    expect(keyring.activeKey.id).toBe('new');
    expect(keyring.keyIds).toEqual(['new', 'old-1', bareId]);

    const oldValue = encryptField(new Keyring(parseKeyText(oldText, 'in TEST')), '13812341234', 'contact.phone');
    expect(decryptField(keyring, oldValue, 'contact.phone')).toBe('13812341234');
  });

  it('prefers the variable over a key file', async () => {
    const env = { PORTAL_ENCRYPTION_KEY: keyText('env-key'), PORTAL_ENCRYPTION_KEY_FILE: '/nonexistent/portal.key' };

    const { keyring, source } = await loadKeyring(env, NO_GENERATION);

    expect(source).toBe('env');
    expect(keyring.activeKey.id).toBe('env-key');
  });

  it('names the invalid old key entry', async () => {
    const env = {
      PORTAL_ENCRYPTION_KEY: keyText('new'),
      PORTAL_ENCRYPTION_OLD_KEYS: `${keyText('a')},b:${randomBytes(16).toString('base64')}`,
    };

    const error = await captureConfigError(() => loadKeyring(env, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_INVALID');
    expect(error.message).toContain('PORTAL_ENCRYPTION_OLD_KEYS entry 2');
    expect(error.message).toContain('decodes to 16 bytes');
  });

  it('rejects an invalid active key', async () => {
    const error = await captureConfigError(() => loadKeyring({ PORTAL_ENCRYPTION_KEY: 'not a key' }, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_INVALID');
    expect(error.message).toContain('in PORTAL_ENCRYPTION_KEY');
    expect(error.message).not.toContain('not a key');
  });

  it('rejects old keys without an active key', async () => {
    const error = await captureConfigError(() => loadKeyring({ PORTAL_ENCRYPTION_OLD_KEYS: keyText('old') }, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_MISSING');
    expect(error.message).toContain('PORTAL_ENCRYPTION_KEY is not');
  });

  it.each([
    ['no variables', {}],
    ['empty variables', { PORTAL_ENCRYPTION_KEY: '', PORTAL_ENCRYPTION_KEY_FILE: '  ', PORTAL_ENCRYPTION_OLD_KEYS: '' }],
  ])('reports a missing key: %s', async (_case, env) => {
    const error = await captureConfigError(() => loadKeyring(env, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_MISSING');
    expect(error.message).toContain('PORTAL_ENCRYPTION_KEY');
    expect(error.message).toContain('PORTAL_ENCRYPTION_KEY_FILE');
    expect(error.message).toContain('openssl rand -base64 32');
  });
});
