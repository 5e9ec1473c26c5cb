import { join } from 'node:path';

import { CryptoConfigError } from './errors.ts';
import { createKeyFileIfMissing, readKeyFile } from './key-file.ts';
import { Keyring, parseKeyText } from './keyring.ts';
import type { EncryptionKey } from './keyring.ts';

export const ACTIVE_KEY_VARIABLE = 'PORTAL_ENCRYPTION_KEY';
export const OLD_KEYS_VARIABLE = 'PORTAL_ENCRYPTION_OLD_KEYS';
export const KEY_FILE_VARIABLE = 'PORTAL_ENCRYPTION_KEY_FILE';

/** Name of the key file created in the data directory of embedded and demo deployments. */
export const GENERATED_KEY_FILE_NAME = 'encryption.key';

export interface LoadKeyringOptions {
  /**
   * Directory in which to create (or reuse) `encryption.key` when no variable names a key. Only
   * the embedded and demo modes pass their DATA_DIR. With null, a missing key is a config error.
   */
  generateInDataDir: string | null;
}

/** Origin of a loaded keyring. 'generated' means this call created the key file in the data directory. */
export type KeyringSource = 'env' | 'file' | 'generated' | 'data-dir';

/**
 * Loads the keyring from the first configured source: PORTAL_ENCRYPTION_KEY (plus the
 * comma-separated decrypt-only PORTAL_ENCRYPTION_OLD_KEYS), then the file named by
 * PORTAL_ENCRYPTION_KEY_FILE, then `<generateInDataDir>/encryption.key`, created if missing.
 * A variable that is empty or only whitespace counts as unset. Throws CryptoConfigError.
 */
export async function loadKeyring(
  env: NodeJS.ProcessEnv,
  options: LoadKeyringOptions,
): Promise<{ keyring: Keyring; source: KeyringSource }> {
  const activeKeyText = nonEmpty(env[ACTIVE_KEY_VARIABLE]);
  const oldKeysText = nonEmpty(env[OLD_KEYS_VARIABLE]);
  const keyFilePath = nonEmpty(env[KEY_FILE_VARIABLE]);

  if (activeKeyText !== undefined) {
    return { keyring: keyringFromEnv(activeKeyText, oldKeysText), source: 'env' };
  }

  // Old keys alone would be dropped silently by the sources below, and values written with them
  // would then fail to decrypt, so treat that as a mistake in the configuration.
  if (oldKeysText !== undefined) {
    throw new CryptoConfigError(
      'CRYPTO_KEY_MISSING',
      `${OLD_KEYS_VARIABLE} is set but ${ACTIVE_KEY_VARIABLE} is not. ` +
        `Set ${ACTIVE_KEY_VARIABLE} to the active key, or list the old keys in the key file after the active key.`,
    );
  }

  if (keyFilePath !== undefined) {
    return { keyring: await readKeyFile(keyFilePath, KEY_FILE_VARIABLE), source: 'file' };
  }

  if (options.generateInDataDir !== null) {
    const path = join(options.generateInDataDir, GENERATED_KEY_FILE_NAME);
    const created = await createKeyFileIfMissing(path);
    const keyring = await readKeyFile(path, 'key file in the data directory');
    return { keyring, source: created ? 'generated' : 'data-dir' };
  }

  throw new CryptoConfigError(
    'CRYPTO_KEY_MISSING',
    `No encryption key is configured for personal data. Set ${ACTIVE_KEY_VARIABLE} to <id>:<base64 key>, ` +
      `or set ${KEY_FILE_VARIABLE} to a file with mode 0600 that contains one. Generate a key with: openssl rand -base64 32`,
  );
}

function keyringFromEnv(activeKeyText: string, oldKeysText: string | undefined): Keyring {
  const activeKey = parseKeyText(activeKeyText, `in ${ACTIVE_KEY_VARIABLE}`);

  const oldKeys: EncryptionKey[] = [];
  const entries = (oldKeysText ?? '').split(',');
  for (const [index, entry] of entries.entries()) {
    // Blank entries come from a trailing or doubled comma and carry no key.
    if (entry.trim() === '') {
      continue;
    }
    oldKeys.push(parseKeyText(entry, `in ${OLD_KEYS_VARIABLE} entry ${index + 1}`));
  }

  return new Keyring(activeKey, oldKeys);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
