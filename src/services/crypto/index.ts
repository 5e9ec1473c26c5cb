// Encryption at rest for personal data such as contact phone numbers and email addresses.
export { CRYPTO_CONFIG_ERROR_CODES, CryptoConfigError, FIELD_CRYPTO_ERROR_CODES, FieldCryptoError } from './errors.ts';
export type { CryptoConfigErrorCode, FieldCryptoErrorCode } from './errors.ts';
export { decryptField, encryptField, needsReencryption } from './field-cipher.ts';
export {
  ACTIVE_KEY_VARIABLE,
  GENERATED_KEY_FILE_NAME,
  KEY_FILE_VARIABLE,
  loadKeyring,
  OLD_KEYS_VARIABLE,
} from './key-source.ts';
export type { KeyringSource, LoadKeyringOptions } from './key-source.ts';
export { deriveKeyId, generateKeyText, KEY_LENGTH_BYTES, Keyring, parseKeyText } from './keyring.ts';
export type { EncryptionKey } from './keyring.ts';
