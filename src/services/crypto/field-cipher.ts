import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { FieldCryptoError } from './errors.ts';
import type { Keyring } from './keyring.ts';
import { formatEncryptedValue, IV_LENGTH_BYTES, parseEncryptedValue, TAG_LENGTH_BYTES } from './value-format.ts';

const ALGORITHM = 'aes-256-gcm';

/**
 * Encrypts `plaintext` with the active key and returns `v1.<keyId>.<iv>.<ciphertext>.<tag>`.
 * `context` names the column, e.g. `contact.phone`. It is authenticated as associated data, so
 * the value decrypts only with the same context. Each call uses a random 12-byte IV, so equal
 * plaintexts give different values.
 */
export function encryptField(keyring: Keyring, plaintext: string, context: string): string {
  const key = keyring.activeKey;
  const iv = randomBytes(IV_LENGTH_BYTES);

  const cipher = createCipheriv(ALGORITHM, key.secret, iv, { authTagLength: TAG_LENGTH_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();

  return formatEncryptedValue({ keyId: key.id, iv, ciphertext, tag });
}

/**
 * Decrypts a value written by encryptField, with the key named in the value and the same
 * `context`. Throws FieldCryptoError: CRYPTO_VALUE_MALFORMED when the text is not such a value,
 * CRYPTO_KEY_UNKNOWN when the keyring lacks its key id, and CRYPTO_DECRYPT_FAILED when
 * authentication fails.
 */
export function decryptField(keyring: Keyring, stored: string, context: string): string {
  const value = parseEncryptedValue(stored, context);

  const key = keyring.findKey(value.keyId);
  if (key === undefined) {
    throw new FieldCryptoError(
      'CRYPTO_KEY_UNKNOWN',
      `Stored value for ${context} was encrypted with key "${value.keyId}", which is not in the keyring ` +
        `(keys: ${keyring.keyIds.join(', ')}). Add that key to PORTAL_ENCRYPTION_OLD_KEYS, or to the key file after the active key.`,
    );
  }

  const decipher = createDecipheriv(ALGORITHM, key.secret, value.iv, { authTagLength: TAG_LENGTH_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(value.tag);

  // GCM checks the tag in final(), so no plaintext is returned before authentication succeeds.
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([decipher.update(value.ciphertext), decipher.final()]);
  } catch (error) {
    throw new FieldCryptoError(
      'CRYPTO_DECRYPT_FAILED',
      `Decryption of the stored value for ${context} with key "${value.keyId}" failed: the value was altered, ` +
        `was copied from another column, or key "${value.keyId}" in the keyring has different bytes from the key that wrote it. ` +
        'Check the configured key for this id; restore the value from a backup if the key is correct.',
      { cause: error },
    );
  }

  return plaintext.toString('utf8');
}

/**
 * Returns true when the value was encrypted with a key other than the active one, so a rotation
 * job should decrypt it and encrypt it again. Throws FieldCryptoError CRYPTO_VALUE_MALFORMED when
 * the text is not an encrypted value.
 */
export function needsReencryption(keyring: Keyring, stored: string): boolean {
  const value = parseEncryptedValue(stored, 'the checked field');
  return value.keyId !== keyring.activeKey.id;
}
