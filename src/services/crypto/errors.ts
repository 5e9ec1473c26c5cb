// Error types of the field encryption service. Callers branch on `code`, never on message text.
// No message contains key material or plaintext. Messages name the key id, the field context or
// the configuration entry that failed.

export const FIELD_CRYPTO_ERROR_CODES = {
  /** The stored value names a key id that the keyring does not contain. */
  CRYPTO_KEY_UNKNOWN: 'CRYPTO_KEY_UNKNOWN',
  /** Authentication failed: the value or its tag was altered, the context differs, or the key bytes differ. */
  CRYPTO_DECRYPT_FAILED: 'CRYPTO_DECRYPT_FAILED',
  /** The stored text is not a `v1.<keyId>.<iv>.<ciphertext>.<tag>` value. */
  CRYPTO_VALUE_MALFORMED: 'CRYPTO_VALUE_MALFORMED',
} as const;

export type FieldCryptoErrorCode = (typeof FIELD_CRYPTO_ERROR_CODES)[keyof typeof FIELD_CRYPTO_ERROR_CODES];

/** Failure to encrypt or decrypt one stored field value. */
export class FieldCryptoError extends Error {
  readonly code: FieldCryptoErrorCode;

  constructor(code: FieldCryptoErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FieldCryptoError';
    this.code = code;
  }
}

export const CRYPTO_CONFIG_ERROR_CODES = {
  /** A key entry could not be parsed: bad id, bad base64, wrong length, or a duplicate id. */
  CRYPTO_KEY_INVALID: 'CRYPTO_KEY_INVALID',
  /** No key source is configured and generating a key is not allowed. */
  CRYPTO_KEY_MISSING: 'CRYPTO_KEY_MISSING',
  /** The key file is readable or writable by group or others. */
  CRYPTO_KEY_FILE_INSECURE: 'CRYPTO_KEY_FILE_INSECURE',
  /** The key file is missing, not a regular file, or could not be read or created. */
  CRYPTO_KEY_FILE_UNREADABLE: 'CRYPTO_KEY_FILE_UNREADABLE',
} as const;

export type CryptoConfigErrorCode = (typeof CRYPTO_CONFIG_ERROR_CODES)[keyof typeof CRYPTO_CONFIG_ERROR_CODES];

/** Invalid or missing encryption key configuration, raised while the keyring is loaded. */
export class CryptoConfigError extends Error {
  readonly code: CryptoConfigErrorCode;

  constructor(code: CryptoConfigErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CryptoConfigError';
    this.code = code;
  }
}
