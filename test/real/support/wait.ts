import { setTimeout as sleep } from 'node:timers/promises';

/** Maximum wait for one state change of a server on the local cloud (fake driver), in milliseconds. */
export const STATE_CHANGE_TIMEOUT_MS = 120_000;
/** Time between two polls, in milliseconds; no loop in this suite polls more often. */
export const POLL_INTERVAL_MS = 1000;

export interface WaitOptions {
  /** Default STATE_CHANGE_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Default POLL_INTERVAL_MS. */
  intervalMs?: number;
}

/**
 * Calls `probe` until `done` accepts its value and returns that value. Both the time and the number
 * of polls are bounded; on timeout the error names what was awaited and the last value seen.
 */
export async function waitUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? STATE_CHANGE_TIMEOUT_MS;
  const intervalMs = Math.max(options.intervalMs ?? POLL_INTERVAL_MS, POLL_INTERVAL_MS);
  const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
  const deadline = Date.now() + timeoutMs;

  let last: T | undefined;
  for (let poll = 1; poll <= maxPolls; poll += 1) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() + intervalMs > deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}
