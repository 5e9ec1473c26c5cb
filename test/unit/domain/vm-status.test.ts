import { describe, expect, it } from 'vitest';

import type { PortalVmStatus } from '../../../src/domain/vm-status.ts';
import {
  isPendingAction,
  isPortalVmStatus,
  mapNovaServerNotFound,
  mapNovaServerState,
  PENDING_ACTIONS,
  PORTAL_VM_STATUSES,
} from '../../../src/domain/vm-status.ts';

const STATUS_TABLE: [string, PortalVmStatus][] = [
  ['BUILD', 'creating'],
  ['ACTIVE', 'running'],
  ['SHUTOFF', 'stopped'],
  ['PAUSED', 'paused'],
  ['SUSPENDED', 'suspended'],
  ['REBOOT', 'rebooting'],
  ['HARD_REBOOT', 'rebooting'],
  ['RESIZE', 'resizing'],
  ['VERIFY_RESIZE', 'resizing'],
  ['REVERT_RESIZE', 'resizing'],
  ['MIGRATING', 'migrating'],
  ['SHELVED', 'shelved'],
  ['SHELVED_OFFLOADED', 'shelved'],
  ['RESCUE', 'maintenance'],
  ['REBUILD', 'maintenance'],
  ['PASSWORD', 'maintenance'],
  ['ERROR', 'error'],
  ['DELETED', 'deleted'],
  ['SOFT_DELETED', 'deleted'],
];

describe('mapNovaServerState', () => {
  it.each(STATUS_TABLE)('maps %s to %s', (novaStatus, expected) => {
    const result = mapNovaServerState({ status: novaStatus, taskState: null });

    expect(result.status).toBe(expected);
    expect(result.recognised).toBe(true);
    expect(result.novaStatus).toBe(novaStatus);
    expect(result.inTransition).toBe(false);
  });

  it('maps UNKNOWN as unrecognised', () => {
    const result = mapNovaServerState({ status: 'UNKNOWN', taskState: null });

    expect(result.status).toBe('unknown');
    expect(result.recognised).toBe(false);
    expect(result.novaStatus).toBe('UNKNOWN');
  });

  it('covers every portal status', () => {
    const mapped = new Set([...STATUS_TABLE.map(([, status]) => status), 'unknown']);

    expect([...mapped].sort()).toEqual([...PORTAL_VM_STATUSES].sort());
  });

  it.each(['FROZEN', 'SHELVING', 'BUILDING', 'ACTIVE_X'])('flags unlisted status %j', (novaStatus) => {
    const result = mapNovaServerState({ status: novaStatus });

    expect(result.status).toBe('unknown');
    expect(result.recognised).toBe(false);
    expect(result.novaStatus).toBe(novaStatus);
  });

  it('ignores case and surrounding spaces', () => {
    expect(mapNovaServerState({ status: 'shutoff' }).status).toBe('stopped');
    expect(mapNovaServerState({ status: ' ACTIVE ' }).status).toBe('running');
  });

  it.each([null, undefined, '', '   '])('maps missing status %j to unrecognised unknown', (status) => {
    const result = mapNovaServerState({ status, vmState: 'active' });

    expect(result.status).toBe('unknown');
    expect(result.recognised).toBe(false);
    expect(result.novaStatus).toBeNull();
    expect(result.vmState).toBe('active');
  });

  it('keeps ACTIVE powering-off as running in transition', () => {
    const result = mapNovaServerState({ status: 'ACTIVE', taskState: 'powering-off', vmState: 'active' });

    expect(result.status).toBe('running');
    expect(result.inTransition).toBe(true);
    expect(result.taskState).toBe('powering-off');
  });

  it('treats blank task state as no task', () => {
    expect(mapNovaServerState({ status: 'ACTIVE', taskState: '' }).inTransition).toBe(false);
    expect(mapNovaServerState({ status: 'ACTIVE', taskState: undefined }).inTransition).toBe(false);
  });

  it('returns the fault message for ERROR', () => {
    const result = mapNovaServerState({
      status: 'ERROR',
      fault: { message: 'No valid host was found. There are not enough hosts available.', code: 500 },
    });

    expect(result.status).toBe('error');
    expect(result.faultMessage).toBe('No valid host was found. There are not enough hosts available.');
  });

  it('returns null fault message when ERROR has no fault', () => {
    expect(mapNovaServerState({ status: 'ERROR' }).faultMessage).toBeNull();
    expect(mapNovaServerState({ status: 'ERROR', fault: null }).faultMessage).toBeNull();
    expect(mapNovaServerState({ status: 'ERROR', fault: { message: '' } }).faultMessage).toBeNull();
  });

  it('ignores a fault on non-ERROR status', () => {
    expect(mapNovaServerState({ status: 'ACTIVE', fault: { message: 'old fault' } }).faultMessage).toBeNull();
  });
});

describe('mapNovaServerNotFound', () => {
  it('maps 404 to deleted', () => {
    const result = mapNovaServerNotFound();

    expect(result.status).toBe('deleted');
    expect(result.recognised).toBe(true);
    expect(result.inTransition).toBe(false);
  });
});

describe('status constants', () => {
  it('lists pending actions', () => {
    expect(PENDING_ACTIONS).toEqual(['creating', 'starting', 'stopping', 'rebooting', 'deleting']);
  });

  it('has no duplicate statuses', () => {
    expect(new Set(PORTAL_VM_STATUSES).size).toBe(PORTAL_VM_STATUSES.length);
  });

  it('checks status and pending values', () => {
    expect(isPortalVmStatus('running')).toBe(true);
    expect(isPortalVmStatus('ACTIVE')).toBe(false);
    expect(isPendingAction('stopping')).toBe(true);
    expect(isPendingAction('stop')).toBe(false);
  });
});
