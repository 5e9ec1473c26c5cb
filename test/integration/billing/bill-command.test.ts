import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { billingRecordOf, createBilledSystem, insertVm } from './billing-fixtures.ts';

const CLI = new URL('../../../bin/tenant-portal.js', import.meta.url).pathname;

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with only the given environment (plus PATH and HOME). */
async function runCli(args: string[], env: Record<string, string>): Promise<CommandResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}

describe('tenant-portal bill input checks', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tp-bill-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rejects an impossible date', async () => {
    const result = await runCli(['bill', '--date', '2026-02-30'], { DATA_DIR: dataDir });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid date "2026-02-30": expected an existing date as YYYY-MM-DD');
  });

  it('rejects a day that has not ended', async () => {
    const result = await runCli(['bill', '--date', '2999-01-01'], { DATA_DIR: dataDir });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Day 2999-01-01 has not ended yet in Asia/Shanghai');
  });

  it('rejects an unknown time zone', async () => {
    const result = await runCli(['bill', '--date', '2026-12-01', '--time-zone', 'Mars/Olympus'], { DATA_DIR: dataDir });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown time zone "Mars/Olympus"');
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('tenant-portal bill on PostgreSQL', () => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  it('bills a day once', async () => {
    const db = handle.database.db;
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    await insertVm(db, owner, { cpuCores: 2, memoryMib: 2048, rootDiskGib: 20 }, '2026-11-20T00:00:00Z');
    const env = { DATABASE_URL: handle.database.connectionString ?? '', LOG_LEVEL: 'warn' };

    const first = await runCli(['bill', '--date', '2026-12-01'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Billed 2026-12-01 (Asia/Shanghai): 1 record(s) written, 0 already present.');

    const record = await billingRecordOf(db, owner.systemId, '2026-12-01');
    expect(Number(record?.core_hours)).toBe(48);

    const second = await runCli(['bill', '--date', '2026-12-01', '--time-zone', 'Asia/Shanghai'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Billed 2026-12-01 (Asia/Shanghai): 0 record(s) written, 1 already present.');
  });
});
