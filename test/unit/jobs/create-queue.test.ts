import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueueRetryingDeadlocks } from '../../../src/jobs/create-queue.ts';

/** Builds a pg-boss stand-in whose createQueue throws the given errors first, then succeeds. */
function bossFailingWith(...errors: unknown[]) {
  const calls: string[] = [];
  return {
    calls,
    async createQueue(name: string) {
      calls.push(name);
      const error = errors.shift();
      if (error !== undefined) throw error;
    },
  };
}

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

describe('createQueueRetryingDeadlocks', () => {
  // The retry delay is random up to a bound; a random value of 0 makes it 0 ms.
  beforeEach(() => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls again after a deadlock', async () => {
    const boss = bossFailingWith(deadlock(), deadlock());

    await createQueueRetryingDeadlocks(boss, 'vm-sync-full', { name: 'vm-sync-full' });

    expect(boss.calls).toEqual(['vm-sync-full', 'vm-sync-full', 'vm-sync-full']);
  });

  it('raises other errors at once', async () => {
    const refused = Object.assign(new Error('permission denied for schema pgboss'), { code: '42501' });
    const boss = bossFailingWith(refused);

    await expect(createQueueRetryingDeadlocks(boss, 'billing-daily', { name: 'billing-daily' })).rejects.toBe(refused);
    expect(boss.calls).toHaveLength(1);
  });

  it('raises the deadlock after eight calls', async () => {
    const boss = bossFailingWith(...Array.from({ length: 8 }, deadlock));

    await expect(createQueueRetryingDeadlocks(boss, 'operation-watch', { name: 'operation-watch' })).rejects.toMatchObject({ code: '40P01' });
    expect(boss.calls).toHaveLength(8);
  });
});
