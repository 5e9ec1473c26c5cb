import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CryptoConfigError } from '../../../src/services/crypto/errors.ts';
import { decryptField, encryptField } from '../../../src/services/crypto/field-cipher.ts';
import { loadKeyring } from '../../../src/services/crypto/key-source.ts';

// Key sources that read or create files, in a temporary directory per test. No database needed.

const NO_GENERATION = { generateInDataDir: null };
const KEY_SOURCE_MODULE = new URL('../../../src/services/crypto/key-source.ts', import.meta.url).href;
const execFileAsync = promisify(execFile);

let workDir: string;

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'portal-crypto-'));
});

afterEach(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function keyText(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

function writeKeyFile(name: string, content: string, mode: number): string {
  const path = join(workDir, name);
  writeFileSync(path, content, { mode });
  // writeFileSync applies the umask, so set the mode explicitly.
  chmodSync(path, mode);
  return path;
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

describe('loadKeyring from key file', () => {
  it('reads active and old keys with comments', async () => {
    const content = [
      '# Tenant Portal keys, newest first',
      '',
      `${keyText('k2026')}   # active since 2026-12`,
      '   ',
      '# retired keys, kept to read old rows',
      keyText('k2025'),
      randomBytes(32).toString('base64'),
      '',
    ].join('\r\n');
    const path = writeKeyFile('keys', content, 0o600);

    const { keyring, source } = await loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, NO_GENERATION);

    expect(source).toBe('file');
    expect(keyring.activeKey.id).toBe('k2026');
    expect(keyring.keyIds).toHaveLength(3);
    expect(keyring.keyIds.slice(0, 2)).toEqual(['k2026', 'k2025']);
  });

  it('accepts mode 0400', async () => {
    const path = writeKeyFile('keys', `${keyText('ro')}\n`, 0o400);

    const { keyring } = await loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, NO_GENERATION);

    expect(keyring.activeKey.id).toBe('ro');
  });

  it.each([0o644, 0o640, 0o604, 0o660])('rejects mode %o', async (mode) => {
    const path = writeKeyFile('keys', `${keyText('k1')}\n`, mode);

    const error = await captureConfigError(() => loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_FILE_INSECURE');
    expect(error.message).toContain(path);
    expect(error.message).toContain(`mode 0${mode.toString(8)}`);
    expect(error.message).toContain(`chmod 600 ${path}`);
  });

  it('names the line of an invalid key', async () => {
    const material = randomBytes(20).toString('base64');
    const path = writeKeyFile('keys', `# comment\n${keyText('k1')}\nbad:${material}\n`, 0o600);

    const error = await captureConfigError(() => loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_INVALID');
    expect(error.message).toContain(`${path} line 3`);
    expect(error.message).not.toContain(material);
  });

  it('rejects a file without keys', async () => {
    const path = writeKeyFile('keys', '# nothing here yet\n\n', 0o600);

    const error = await captureConfigError(() => loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_MISSING');
    expect(error.message).toContain(path);
  });

  it('reports a missing file', async () => {
    const path = join(workDir, 'absent.key');

    const error = await captureConfigError(() => loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_FILE_UNREADABLE');
    expect(error.message).toContain(path);
    expect(error.message).toContain('PORTAL_ENCRYPTION_KEY_FILE');
  });

  it('rejects a directory', async () => {
    const path = join(workDir, 'keys.d');
    mkdirSync(path, { mode: 0o700 });

    const error = await captureConfigError(() => loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, NO_GENERATION));

    expect(error.code).toBe('CRYPTO_KEY_FILE_UNREADABLE');
  });

  it('prefers the file over generation', async () => {
    const path = writeKeyFile('keys', `${keyText('from-file')}\n`, 0o600);
    const dataDir = join(workDir, 'data');

    const { keyring, source } = await loadKeyring({ PORTAL_ENCRYPTION_KEY_FILE: path }, { generateInDataDir: dataDir });

    expect(source).toBe('file');
    expect(keyring.activeKey.id).toBe('from-file');
    expect(() => statSync(dataDir)).toThrow();
  });
});

describe('loadKeyring with generation in data dir', () => {
  it('creates the key file with mode 0600', async () => {
    const dataDir = join(workDir, 'data');

    const { keyring, source } = await loadKeyring({}, { generateInDataDir: dataDir });

    const keyPath = join(dataDir, 'encryption.key');
    expect(source).toBe('generated');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toContain(`${keyring.activeKey.id}:`);
    expect(keyring.activeKey.id).toMatch(/^[0-9a-f]{8}$/);
    expect(readdirSync(dataDir)).toEqual(['encryption.key']);
  });

  it('reads the same key on the second load', async () => {
    const dataDir = join(workDir, 'data');
    const first = await loadKeyring({}, { generateInDataDir: dataDir });
    const stored = encryptField(first.keyring, 'zhang.san@example.com', 'contact.email');

    const second = await loadKeyring({}, { generateInDataDir: dataDir });

    expect(second.source).toBe('data-dir');
    expect(second.keyring.activeKey.id).toBe(first.keyring.activeKey.id);
    expect(decryptField(second.keyring, stored, 'contact.email')).toBe('zhang.san@example.com');
  });

  it('ends concurrent loads with one key', async () => {
    const dataDir = join(workDir, 'data');

    const results = await Promise.all(Array.from({ length: 8 }, () => loadKeyring({}, { generateInDataDir: dataDir })));

    const ids = new Set(results.map((result) => result.keyring.activeKey.id));
    const sources = results.map((result) => result.source);
    expect(ids.size).toBe(1);
    expect(sources.filter((source) => source === 'generated')).toHaveLength(1);
    expect(sources.filter((source) => source === 'data-dir')).toHaveLength(7);
    expect(readdirSync(dataDir)).toEqual(['encryption.key']);

    const stored = encryptField(results[0]!.keyring, '13812341234', 'contact.phone');
    for (const result of results) {
      expect(decryptField(result.keyring, stored, 'contact.phone')).toBe('13812341234');
    }
  });

  it('ends concurrent processes with one key', async () => {
    const dataDir = join(workDir, 'data');
    const scriptPath = join(workDir, 'load-key.mts');
    writeFileSync(
      scriptPath,
      `import { loadKeyring } from ${JSON.stringify(KEY_SOURCE_MODULE)};\n` +
        'const result = await loadKeyring({}, { generateInDataDir: process.argv[2] ?? null });\n' +
        "process.stdout.write(`${result.keyring.activeKey.id} ${result.source}`);\n",
    );

    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => execFileAsync(process.execPath, ['--import', 'tsx', scriptPath, dataDir], { env: {} })),
    );

    const lines = outputs.map((output) => output.stdout.trim().split(' '));
    const ownId = (await loadKeyring({}, { generateInDataDir: dataDir })).keyring.activeKey.id;
    expect(new Set(lines.map(([id]) => id))).toEqual(new Set([ownId]));
    expect(lines.filter(([, source]) => source === 'generated')).toHaveLength(1);
    expect(readdirSync(dataDir)).toEqual(['encryption.key']);
  }, 30_000);

  it('rejects an existing key file with loose mode', async () => {
    const dataDir = join(workDir, 'data');
    await loadKeyring({}, { generateInDataDir: dataDir });
    const keyPath = join(dataDir, 'encryption.key');
    chmodSync(keyPath, 0o644);

    const error = await captureConfigError(() => loadKeyring({}, { generateInDataDir: dataDir }));

    expect(error.code).toBe('CRYPTO_KEY_FILE_INSECURE');
    expect(error.message).toContain(keyPath);
  });

  it('prefers the environment over generation', async () => {
    const dataDir = join(workDir, 'data');

    const { source } = await loadKeyring({ PORTAL_ENCRYPTION_KEY: keyText('env') }, { generateInDataDir: dataDir });

    expect(source).toBe('env');
    expect(() => statSync(dataDir)).toThrow();
  });
});

describe('loadKeyring generation failures', () => {
  it('reports a data dir under a file', async () => {
    // A regular file where a directory should be makes the check fail for any user, root too.
    const blocker = join(workDir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const dataDir = join(blocker, 'data');

    const error = await captureConfigError(() => loadKeyring({}, { generateInDataDir: dataDir }));

    expect(error.code).toBe('CRYPTO_KEY_FILE_UNREADABLE');
    expect(error.message).toContain(join(dataDir, 'encryption.key'));
    expect(error.message).toContain('PORTAL_ENCRYPTION_KEY_FILE');
  });

  it('reports a data dir that cannot be created', async () => {
    // A dangling symbolic link passes the existence check but makes mkdir fail, root included.
    const dataDir = join(workDir, 'dangling');
    symlinkSync(join(workDir, 'missing', 'target'), dataDir);

    const error = await captureConfigError(() => loadKeyring({}, { generateInDataDir: dataDir }));

    expect(error.code).toBe('CRYPTO_KEY_FILE_UNREADABLE');
    expect(error.message).toContain('Could not create key file');
    expect(error.message).toContain('PORTAL_ENCRYPTION_KEY_FILE');
    expect(readdirSync(workDir)).toEqual(['dangling']);
  });
});
