import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  OPENSTACK_ERROR_CODES,
  createOpenStackClient,
  waitForServer,
  type OpenStackClient,
  type OpenStackError,
} from '../../../src/openstack/index.ts';
import { loadFixture, replyFromFixture, startFakeCloud, type FakeCloud, type FakeReply } from './helpers/fake-cloud.ts';

const serverId = (loadFixture('compute-server-get-2.93').response.body as { server: { id: string } }).server.id;
const FAST = { pollIntervalMs: 5, maxPollIntervalMs: 20 };

let fake: FakeCloud;
let client: OpenStackClient;

async function rejection(promise: Promise<unknown>): Promise<OpenStackError> {
  try {
    await promise;
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected a rejection');
}

/** Builds a captured server reply with status and task state replaced. */
function serverReply(status: string, taskState: string | null, fixture = 'compute-server-get-2.93'): FakeReply {
  return replyFromFixture(fixture, (captured) => {
    const server = (captured.response.body as { server: Record<string, unknown> }).server;
    server['id'] = serverId;
    server['status'] = status;
    server['OS-EXT-STS:task_state'] = taskState;
  });
}

function serveSequence(replies: FakeReply[]): void {
  let index = 0;
  fake.routes.unshift({
    method: 'GET',
    path: `/compute/v2.1/servers/${serverId}`,
    handler: () => {
      const reply = replies[Math.min(index, replies.length - 1)] as FakeReply;
      index += 1;
      return reply;
    },
  });
}

function polls(): number {
  return fake.requestsTo('GET', `/compute/v2.1/servers/${serverId}`).length;
}

beforeEach(async () => {
  fake = await startFakeCloud();
  client = createOpenStackClient(fake.cloud());
});

afterEach(async () => {
  client.close();
  await fake.close();
});

describe('waitForServer', () => {
  it('waits for the status with task_state null', async () => {
    serveSequence([serverReply('BUILD', 'scheduling'), serverReply('BUILD', 'spawning'), serverReply('ACTIVE', 'powering-off'), serverReply('ACTIVE', null)]);

    const server = await waitForServer(client, serverId, { target: 'ACTIVE', ...FAST });

    expect(server?.status).toBe('ACTIVE');
    expect(polls()).toBe(4);
  });

  it('fails fast on ERROR with the fault', async () => {
    serveSequence([serverReply('BUILD', 'scheduling'), serverReply('ERROR', null, 'compute-server-get-error-fault')]);

    const error = await rejection(waitForServer(client, serverId, { target: 'ACTIVE', ...FAST }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_SERVER_FAULT);
    expect(error.fault?.code).toBe(500);
    expect(error.fault?.message).toContain('No valid host was found');
    expect(error.message).toContain('No valid host was found');
    expect(polls()).toBe(2);
  });

  it('treats 404 as deleted', async () => {
    serveSequence([serverReply('ACTIVE', 'deleting'), replyFromFixture('compute-server-deleted-404')]);

    expect(await waitForServer(client, serverId, { target: 'DELETED', ...FAST })).toBeNull();
  });

  it('polls through status DELETED until 404', async () => {
    serveSequence([serverReply('DELETED', null), serverReply('DELETED', null), replyFromFixture('compute-server-deleted-404')]);

    expect(await waitForServer(client, serverId, { target: 'DELETED', ...FAST })).toBeNull();
    expect(polls()).toBe(3);
  });

  it('raises 404 when the target is not DELETED', async () => {
    serveSequence([replyFromFixture('compute-server-not-found-404')]);

    const error = await rejection(waitForServer(client, serverId, { target: 'ACTIVE', ...FAST }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
  });

  it('raises OS_WAIT_TIMEOUT at the deadline', async () => {
    serveSequence([serverReply('BUILD', 'spawning')]);

    const error = await rejection(waitForServer(client, serverId, { target: 'ACTIVE', deadlineMs: 150, ...FAST }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_WAIT_TIMEOUT);
    expect(error.message).toContain('status BUILD');
    expect(error.message).toContain('task_state spawning');
  });

  it('cancels a poll in flight at the deadline', async () => {
    serveSequence([{ ...serverReply('BUILD', 'spawning'), delayMs: 2_000 }]);
    const started = Date.now();

    const error = await rejection(waitForServer(client, serverId, { target: 'ACTIVE', deadlineMs: 100, ...FAST }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_WAIT_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('stops on abort', async () => {
    serveSequence([serverReply('BUILD', 'spawning')]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);

    const error = await rejection(waitForServer(client, serverId, { target: 'ACTIVE', signal: controller.signal, ...FAST }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_ABORTED);
  });

  it('backs off between polls', async () => {
    serveSequence([serverReply('BUILD', 'spawning')]);

    await rejection(waitForServer(client, serverId, { target: 'ACTIVE', deadlineMs: 500, pollIntervalMs: 50, backoffFactor: 2, maxPollIntervalMs: 400 }));

    // Polls at about 0, 50, 150 and 350 ms; the next sleep (400 ms) passes the deadline.
    expect(polls()).toBeGreaterThanOrEqual(3);
    expect(polls()).toBeLessThanOrEqual(5);
  });
});
