import { FieldCryptoError } from './errors.ts';
import { KEY_ID_PATTERN } from './keyring.ts';

/** Format version written as the first part of every stored value. */
export const VALUE_FORMAT_VERSION = 'v1';

/** AES-GCM IV length in bytes. GCM uses a 12-byte IV directly and hashes IVs of any other length first. */
export const IV_LENGTH_BYTES = 12;

/** AES-GCM authentication tag length in bytes. */
export const TAG_LENGTH_BYTES = 16;

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** Parts of a stored value `v1.<keyId>.<iv>.<ciphertext>.<tag>`, with the binary parts decoded. */
export interface EncryptedValue {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Formats the parts as `v1.<keyId>.<iv>.<ciphertext>.<tag>`, binary parts in unpadded base64url. */
export function formatEncryptedValue(value: EncryptedValue): string {
  return [
    VALUE_FORMAT_VERSION,
    value.keyId,
    value.iv.toString('base64url'),
    value.ciphertext.toString('base64url'),
    value.tag.toString('base64url'),
  ].join('.');
}

/**
 * Parses a stored value. `context` only names the field in errors. Throws FieldCryptoError
 * CRYPTO_VALUE_MALFORMED for a wrong part count, an unknown version, an invalid key id, base64url
 * that is not in canonical form, or an IV or tag of the wrong length. The ciphertext may be empty,
 * because an empty string encrypts to zero bytes.
 */
export function parseEncryptedValue(stored: string, context: string): EncryptedValue {
  const parts = stored.split('.');
  if (parts.length !== 5) {
    throw malformed(context, `expected 5 parts separated by ".", found ${parts.length}`);
  }

  const [version, keyId, ivText, ciphertextText, tagText] = parts as [string, string, string, string, string];
  if (version !== VALUE_FORMAT_VERSION) {
    throw malformed(context, `format version must be "${VALUE_FORMAT_VERSION}"`);
  }
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw malformed(context, 'the key id is not 1 to 32 characters of A-Z, a-z, 0-9, "_" or "-"');
  }

  const iv = decodeCanonicalBase64url(ivText, 'IV', context);
  const ciphertext = decodeCanonicalBase64url(ciphertextText, 'ciphertext', context);
  const tag = decodeCanonicalBase64url(tagText, 'tag', context);

  if (iv.length !== IV_LENGTH_BYTES) {
    throw malformed(context, `the IV is ${iv.length} bytes, expected ${IV_LENGTH_BYTES}`);
  }
  if (tag.length !== TAG_LENGTH_BYTES) {
    throw malformed(context, `the tag is ${tag.length} bytes, expected ${TAG_LENGTH_BYTES}`);
  }

  return { keyId, iv, ciphertext, tag };
}

function decodeCanonicalBase64url(text: string, partName: string, context: string): Buffer {
  // Buffer.from ignores invalid characters and unused trailing bits, so two different texts could
  // decode to the same bytes. Requiring the canonical form makes every change to the text count.
  const decoded = Buffer.from(text, 'base64url');
  if (!BASE64URL_PATTERN.test(text) || decoded.toString('base64url') !== text) {
    throw malformed(context, `the ${partName} is not canonical unpadded base64url`);
  }
  return decoded;
}

function malformed(context: string, reason: string): FieldCryptoError {
  return new FieldCryptoError(
    'CRYPTO_VALUE_MALFORMED',
    `Stored value for ${context} is not an encrypted value: ${reason}. ` +
      'Check that the column contains values written by encryptField and was not truncated or edited.',
  );
}
