import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.ts';
import { EmbeddedDatabaseBusyError } from '../../../src/db/embedded-lock.ts';

describe('embedded database lock', () => {
  let folder: string;
  let dataDir: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tp-lock-'));
    dataDir = join(folder, 'pglite');
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('refuses a second opener until the first closes', async () => {
    const first = await Database.open({ kind: 'embedded', dataDir });
    try {
      await expect(Database.open({ kind: 'embedded', dataDir })).rejects.toBeInstanceOf(EmbeddedDatabaseBusyError);
    } finally {
      await first.close();
    }

    const second = await Database.open({ kind: 'embedded', dataDir });
    await second.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    // Process ids are below 2^22 on Linux, so this one cannot be running.
    await writeFile(`${dataDir}.lock`, '9999999\n');

    const database = await Database.open({ kind: 'embedded', dataDir });
    await database.close();
  });
});
