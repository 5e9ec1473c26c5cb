import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Raised when another live process has the embedded database open. PGlite runs PostgreSQL inside
 * each process without the shared memory and locks that coordinate server processes, so a second
 * process on the same folder reads stale rows and can abort or damage the first one's data.
 */
export class EmbeddedDatabaseBusyError extends Error {
  readonly code = 'DB_EMBEDDED_BUSY';
  readonly holderPid: number;

  constructor(dataDir: string, holderPid: number, lockPath: string) {
    super(
      `The embedded database in ${dataDir} is open in process ${holderPid} (for example \`tenant-portal serve\`), ` +
        'and it belongs to one process at a time. Stop that process before running this command, or use PostgreSQL ' +
        `(DATABASE_URL) to run commands beside a running server. If no process ${holderPid} runs, delete ${lockPath}.`,
    );
    this.name = 'EmbeddedDatabaseBusyError';
    this.holderPid = holderPid;
  }
}

/**
 * Takes the lock file `<dataDir>.lock` that marks the embedded database as open in this process,
 * and returns the function that releases it. A lock left by a process that no longer runs is
 * taken over.
 */
export function acquireEmbeddedLock(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;

  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => releaseLock(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }

    const holder = readHolder(lockPath);
    if (holder !== null && isRunning(holder)) throw new EmbeddedDatabaseBusyError(dataDir, holder, lockPath);
    // The holder is gone; remove its lock and try once more, so two starters cannot both take it.
    unlinkSync(lockPath);
  }
  throw new EmbeddedDatabaseBusyError(dataDir, readHolder(lockPath) ?? 0, lockPath);
}

function readHolder(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    // Signal 0 checks that the process exists without sending anything.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the lock file if this process still holds it. */
function releaseLock(lockPath: string): void {
  if (readHolder(lockPath) !== process.pid) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}
