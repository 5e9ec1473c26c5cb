import type { OpenStackClient } from './client.ts';
import { getServer } from './compute/servers.ts';
import type { Server, ServerStatus } from './compute/types.ts';
import { OPENSTACK_ERROR_CODES, OpenStackError, isOpenStackError } from './errors.ts';
import { sleep } from './transport/sleep.ts';
import { getVolume, type Volume } from './volume/volumes.ts';

/** Polling defaults in one block; every duration is in milliseconds. */
export const DEFAULT_WAIT_POLICY = Object.freeze({
  DEADLINE_MS: 10 * 60_000,
  POLL_INTERVAL_MS: 1_000,
  MAX_POLL_INTERVAL_MS: 10_000,
  BACKOFF_FACTOR: 1.5,
});

export interface WaitOptions {
  /** Maximum time to wait, from the call; then OS_WAIT_TIMEOUT. */
  deadlineMs?: number;
  /** Delay after the first poll; it grows by `backoffFactor` up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  backoffFactor?: number;
  /** Cancels the wait with OS_ABORTED. */
  signal?: AbortSignal;
}

/** Result of one poll: a final value, or the state to report if the deadline passes. */
type PollOutcome<T> = { done: true; value: T } | { done: false; state: string };

/** Sentinel reason of the internal abort fired when the deadline passes. */
const DEADLINE_REASON = Symbol('wait deadline');

/**
 * Calls `poll` until it reports done, sleeping with backoff in between. The deadline also
 * cancels a poll request in flight. Errors thrown by `poll` end the wait.
 */
export async function pollUntil<T>(
  description: string,
  poll: (signal: AbortSignal) => Promise<PollOutcome<T>>,
  options: WaitOptions,
): Promise<T> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_WAIT_POLICY.DEADLINE_MS;
  const maxIntervalMs = options.maxPollIntervalMs ?? DEFAULT_WAIT_POLICY.MAX_POLL_INTERVAL_MS;
  const factor = options.backoffFactor ?? DEFAULT_WAIT_POLICY.BACKOFF_FACTOR;
  let intervalMs = options.pollIntervalMs ?? DEFAULT_WAIT_POLICY.POLL_INTERVAL_MS;
  let lastState = 'not polled yet';

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(DEADLINE_REASON), deadlineMs);
  const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);

  try {
    for (;;) {
      const outcome = await poll(signal);
      if (outcome.done) {
        return outcome.value;
      }
      lastState = outcome.state;

      await sleep(intervalMs, signal);
      intervalMs = Math.min(maxIntervalMs, intervalMs * factor);
    }
  } catch (error) {
    const deadlinePassed = deadline.signal.aborted && options.signal?.aborted !== true;
    if (deadlinePassed && isOpenStackError(error, OPENSTACK_ERROR_CODES.OS_ABORTED)) {
      throw new OpenStackError({
        code: OPENSTACK_ERROR_CODES.OS_WAIT_TIMEOUT,
        message: `${description} did not finish within ${deadlineMs} ms; last state: ${lastState}`,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export interface WaitForServerOptions extends WaitOptions {
  /** Server status to reach with no task running, or `DELETED` to wait until the server is gone. */
  target: ServerStatus | 'DELETED';
}

function describeServer(server: Server): string {
  return `status ${server.status}, vm_state ${server.vmState ?? 'none'}, task_state ${server.taskState ?? 'none'}`;
}

/**
 * Waits until a server has the target status and task_state null, or, for `DELETED`, until GET
 * returns 404. Nova 26 returns status DELETED with 200 for a moment before the 404, and the server
 * still shows in listings then, so that status alone does not end the wait. Fails fast with
 * OS_SERVER_FAULT, carrying Nova's fault, when the server goes to ERROR. Returns the last server
 * read, or null when the target was DELETED.
 */
export function waitForServer(client: OpenStackClient, serverId: string, options: WaitForServerOptions): Promise<Server | null> {
  const description = `Server ${serverId} reaching ${options.target}`;

  return pollUntil<Server | null>(
    description,
    async (signal) => {
      let server: Server;
      try {
        server = await getServer(client, serverId, signal);
      } catch (error) {
        if (options.target === 'DELETED' && isOpenStackError(error, OPENSTACK_ERROR_CODES.OS_NOT_FOUND)) {
          return { done: true, value: null };
        }
        throw error;
      }

      if (options.target !== 'DELETED' && server.status === options.target && server.taskState === null) {
        return { done: true, value: server };
      }
      if (server.status === 'ERROR' && options.target !== 'ERROR') {
        const reason = server.fault?.message ?? 'Nova recorded no fault';
        throw new OpenStackError({
          code: OPENSTACK_ERROR_CODES.OS_SERVER_FAULT,
          message: `Server ${serverId} went to ERROR while waiting for ${options.target}: ${reason}`,
          fault: server.fault ?? undefined,
        });
      }
      return { done: false, state: describeServer(server) };
    },
    options,
  );
}

export interface WaitForVolumeOptions extends WaitOptions {
  /** Volume status to reach, e.g. `available` or `in-use`, or `deleted` to wait for 404. */
  target: string;
}

/** Waits for a Cinder volume status; fails fast with OS_VOLUME_ERROR on `error` statuses. */
export function waitForVolume(client: OpenStackClient, volumeId: string, options: WaitForVolumeOptions): Promise<Volume | null> {
  return pollUntil<Volume | null>(
    `Volume ${volumeId} reaching ${options.target}`,
    async (signal) => {
      let volume: Volume;
      try {
        volume = await getVolume(client, volumeId, signal);
      } catch (error) {
        if (options.target === 'deleted' && isOpenStackError(error, OPENSTACK_ERROR_CODES.OS_NOT_FOUND)) {
          return { done: true, value: null };
        }
        throw error;
      }

      if (volume.status === options.target) {
        return { done: true, value: volume };
      }
      if (volume.status.startsWith('error') && !options.target.startsWith('error')) {
        throw new OpenStackError({
          code: OPENSTACK_ERROR_CODES.OS_VOLUME_ERROR,
          message: `Volume ${volumeId} went to ${volume.status} while waiting for ${options.target}`,
        });
      }
      return { done: false, state: `status ${volume.status}` };
    },
    options,
  );
}
