import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';

/** SQLSTATE of PostgreSQL's `deadlock_detected` error. */
const DEADLOCK_DETECTED = '40P01';
/** Maximum calls per queue. PostgreSQL aborts one transaction per deadlock, so the others in the cycle finish. */
const MAX_ATTEMPTS = 8;
/** Bound of the first random delay before a retry, doubled per retry. */
const BASE_RETRY_DELAY_MS = 50;

function isDeadlock(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DEADLOCK_DETECTED;
}

/**
 * Creates a pg-boss queue, calling again when PostgreSQL ends the call as a deadlock victim.
 * pg-boss 10.4 creates each queue's partition table and attaches it to its job table without a
 * lock of its own, so processes that start together on a database that lacks several queues
 * deadlock each other. Each call is one statement, so the victim's work is rolled back whole, and
 * a queue that another process created in the meantime makes the next call return without change.
 */
export async function createQueueRetryingDeadlocks(boss: Pick<PgBoss, 'createQueue'>, name: string, options: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await boss.createQueue(name, options);
      return;
    } catch (error) {
      if (!isDeadlock(error) || attempt >= MAX_ATTEMPTS) throw error;
      // A random delay keeps the processes from colliding again in the same order.
      await sleep(Math.random() * BASE_RETRY_DELAY_MS * 2 ** (attempt - 1));
    }
  }
}
