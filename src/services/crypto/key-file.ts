import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { CryptoConfigError } from './errors.ts';
import { generateKeyText, Keyring, parseKeyText } from './keyring.ts';
import type { EncryptionKey } from './keyring.ts';

/** Permission bits for group and others. A key file must have none of them set. */
const GROUP_AND_OTHER_BITS = 0o077;

/**
 * Reads a key file: one key per line, the first key active and later keys decrypt-only. Text
 * from `#` to the end of a line is a comment, because `#` cannot occur in a key id or in base64.
 * Throws CryptoConfigError when the file is missing, is not a regular file, grants group or
 * others any access, or contains an invalid key or none at all. `sourceLabel` names in errors where
 * the path came from, e.g. PORTAL_ENCRYPTION_KEY_FILE.
 */
export async function readKeyFile(path: string, sourceLabel: string): Promise<Keyring> {
  const text = await readPrivateFile(path, sourceLabel);

  const keys: EncryptionKey[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const commentStart = line.indexOf('#');
    const entry = (commentStart === -1 ? line : line.slice(0, commentStart)).trim();
    if (entry === '') {
      continue;
    }
    keys.push(parseKeyText(entry, `in ${path} line ${index + 1}`));
  }

  const [activeKey, ...oldKeys] = keys;
  if (activeKey === undefined) {
    throw new CryptoConfigError(
      'CRYPTO_KEY_MISSING',
      `Key file ${path} (${sourceLabel}) contains no key. Add a line <id>:<base64 key>; generate a key with: openssl rand -base64 32`,
    );
  }
  return new Keyring(activeKey, oldKeys);
}

/**
 * Creates `path` with a new random key and mode 0600 unless the file exists. Returns true when
 * this call created it. The key is written to a temporary file opened with the `wx` flag and
 * then hard-linked to `path`. The link fails with EEXIST when another process won the race, so
 * no reader sees a half-written file and two processes never end up with different keys.
 */
export async function createKeyFileIfMissing(path: string): Promise<boolean> {
  // Checked first so that a restart with an existing key writes nothing, and a read-only data
  // directory that already contains the key still works.
  if (await pathExists(path)) {
    return false;
  }

  const directory = dirname(path);
  const tempPath = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const content =
    `# Encryption key for personal data in Tenant Portal, created ${new Date().toISOString()}.\n` +
    '# Back this file up: stored phone numbers and email addresses cannot be read without it.\n' +
    `${generateKeyText()}\n`;

  // NOTE: a crash between writing and removing the temporary file leaves it behind with mode 0600.
  // It contains an unused key and can be deleted.
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await writeDurably(tempPath, content);

    try {
      await link(tempPath, path);
    } catch (error) {
      if (isErrnoError(error) && error.code === 'EEXIST') {
        return false;
      }
      throw error;
    }

    await syncDirectory(directory);
    return true;
  } catch (error) {
    throw new CryptoConfigError(
      'CRYPTO_KEY_FILE_UNREADABLE',
      `Could not create key file ${path}: ${describeErrno(error)}. ` +
        'Check that the data directory is writable and supports hard links, or set PORTAL_ENCRYPTION_KEY_FILE.',
      { cause: error },
    );
  } finally {
    await rm(tempPath, { force: true });
  }
}

async function readPrivateFile(path: string, sourceLabel: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new CryptoConfigError(
      'CRYPTO_KEY_FILE_UNREADABLE',
      `Key file ${path} (${sourceLabel}) could not be opened: ${describeErrno(error)}. ` +
        `Create it with: openssl rand -base64 32 > ${path} && chmod 600 ${path}`,
      { cause: error },
    );
  }

  try {
    // Check the opened file rather than the path, so a file swapped in after the check is not read.
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new CryptoConfigError('CRYPTO_KEY_FILE_UNREADABLE', `Key file ${path} (${sourceLabel}) is not a regular file. Replace it with a file that contains the key.`);
    }

    const mode = stats.mode & 0o777;
    if ((mode & GROUP_AND_OTHER_BITS) !== 0) {
      throw new CryptoConfigError(
        'CRYPTO_KEY_FILE_INSECURE',
        `Key file ${path} (${sourceLabel}) has mode 0${mode.toString(8)}, so group or others can access it. Run: chmod 600 ${path}`,
      );
    }

    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function writeDurably(path: string, content: string): Promise<void> {
  // The umask can only clear bits, so the file ends up 0600 or stricter.
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes the new directory entry, because losing the key after a crash makes stored values unreadable. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isErrnoError(error) && error.code === 'ENOENT') {
      return false;
    }
    throw new CryptoConfigError(
      'CRYPTO_KEY_FILE_UNREADABLE',
      `Could not check key file ${path}: ${describeErrno(error)}. Check the permissions of the data directory, or set PORTAL_ENCRYPTION_KEY_FILE.`,
      { cause: error },
    );
  }
}

function isErrnoError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function describeErrno(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
