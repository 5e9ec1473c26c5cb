import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import { CryptoConfigError } from './errors.ts';

/** Key length of AES-256, in bytes. */
export const KEY_LENGTH_BYTES = 32;

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const GENERATE_HINT = 'Generate one with: openssl rand -base64 32';
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * One AES-256 key and the id stored next to every value it encrypts. The bytes sit in a
 * KeyObject, so JSON.stringify and util.inspect of a key or keyring never print them.
 */
export interface EncryptionKey {
  readonly id: string;
  readonly secret: KeyObject;
}

/**
 * Active key, used for new values, plus older keys that are used only to decrypt values written
 * before a rotation.
 */
export class Keyring {
  readonly activeKey: EncryptionKey;
  readonly #keysById = new Map<string, EncryptionKey>();

  /**
   * Throws CryptoConfigError CRYPTO_KEY_INVALID when two keys share an id but differ in bytes.
   * A key listed twice with the same id and bytes is kept once, so the active key may also appear
   * among the old keys during a rotation.
   */
  constructor(activeKey: EncryptionKey, oldKeys: readonly EncryptionKey[] = []) {
    this.activeKey = activeKey;

    for (const key of [activeKey, ...oldKeys]) {
      const known = this.#keysById.get(key.id);
      if (known === undefined) {
        this.#keysById.set(key.id, key);
        continue;
      }

      if (!known.secret.equals(key.secret)) {
        throw new CryptoConfigError(
          'CRYPTO_KEY_INVALID',
          `Two encryption keys use the id "${key.id}" but have different bytes. ` +
            'Give each key its own id in the form <id>:<base64 key>.',
        );
      }
    }
  }

  /** Returns the key with this id, or undefined when the keyring does not contain it. */
  findKey(id: string): EncryptionKey | undefined {
    return this.#keysById.get(id);
  }

  /** Ids of all keys, the active key first. */
  get keyIds(): string[] {
    return [...this.#keysById.keys()];
  }
}

/** Derives the id of a key given without one: the first 8 hex digits of SHA-256 of its bytes. */
export function deriveKeyId(keyBytes: Buffer): string {
  return createHash('sha256').update(keyBytes).digest('hex').slice(0, 8);
}

/**
 * Parses `<id>:<base64 or base64url of 32 bytes>` or a bare base64 key, whose id is then derived
 * from the bytes. `label` names the entry in errors, e.g. "in PORTAL_ENCRYPTION_KEY" or
 * "in /etc/portal/keys line 2". Throws CryptoConfigError CRYPTO_KEY_INVALID. Messages never include
 * the key text, because a misplaced separator could put key material in any part of it.
 */
export function parseKeyText(text: string, label: string): EncryptionKey {
  const trimmed = text.trim();
  const separator = trimmed.indexOf(':');
  const idText = separator === -1 ? undefined : trimmed.slice(0, separator);
  const material = separator === -1 ? trimmed : trimmed.slice(separator + 1);

  if (idText !== undefined && !KEY_ID_PATTERN.test(idText)) {
    throw invalidKey(label, `the key id before ":" must be 1 to 32 characters of A-Z, a-z, 0-9, "_" or "-" (got ${idText.length} characters)`);
  }

  const keyBytes = decodeKeyMaterial(material, label);
  const id = idText ?? deriveKeyId(keyBytes);
  return { id, secret: createSecretKey(keyBytes) };
}

/** Creates a random key and returns it as `<id>:<base64>` text, the format parseKeyText reads. */
export function generateKeyText(): string {
  const keyBytes = randomBytes(KEY_LENGTH_BYTES);
  return `${deriveKeyId(keyBytes)}:${keyBytes.toString('base64')}`;
}

function decodeKeyMaterial(material: string, label: string): Buffer {
  if (material === '') {
    throw invalidKey(label, 'the key is empty');
  }

  // Buffer.from skips characters outside the alphabet, so check the alphabet first. Mixing the
  // standard and URL-safe alphabets is rejected because no encoder produces it.
  if (!STANDARD_BASE64.test(material) && !URL_SAFE_BASE64.test(material)) {
    throw invalidKey(label, 'the key is not base64 or base64url text');
  }

  const keyBytes = Buffer.from(material, 'base64');
  if (keyBytes.length !== KEY_LENGTH_BYTES) {
    throw invalidKey(label, `the key decodes to ${keyBytes.length} bytes, expected ${KEY_LENGTH_BYTES}`);
  }
  return keyBytes;
}

function invalidKey(label: string, reason: string): CryptoConfigError {
  return new CryptoConfigError(
    'CRYPTO_KEY_INVALID',
    `Encryption key ${label} is invalid: ${reason}. Use <id>:<base64 key> or a bare base64 key of ${KEY_LENGTH_BYTES} bytes. ${GENERATE_HINT}`,
  );
}
