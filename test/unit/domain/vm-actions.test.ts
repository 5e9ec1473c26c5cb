import { describe, expect, it } from 'vitest';

import type { VmAction, VmActionDecision } from '../../../src/domain/vm-actions.ts';
import {
  decideVmAction,
  evaluateActionProgress,
  novaConfirmationTarget,
  VM_ACTIONS,
} from '../../../src/domain/vm-actions.ts';
import type { PendingAction, PortalVmStatus } from '../../../src/domain/vm-status.ts';
import { PENDING_ACTIONS, PORTAL_VM_STATUSES } from '../../../src/domain/vm-status.ts';

type Expected = 'call' | 'already' | 'invalid_state' | 'force_required' | 'pending_action';

/** Expected decision for every action and status with no pending action and no force. */
const MATRIX: Record<VmAction, Record<PortalVmStatus, Expected>> = {
  start: {
    creating: 'invalid_state',
    running: 'already',
    stopped: 'call',
    paused: 'invalid_state',
    suspended: 'invalid_state',
    rebooting: 'invalid_state',
    resizing: 'invalid_state',
    migrating: 'invalid_state',
    shelved: 'invalid_state',
    maintenance: 'invalid_state',
    error: 'invalid_state',
    deleted: 'invalid_state',
    unknown: 'invalid_state',
  },
  stop: {
    creating: 'invalid_state',
    running: 'call',
    stopped: 'already',
    paused: 'invalid_state',
    suspended: 'invalid_state',
    rebooting: 'invalid_state',
    resizing: 'invalid_state',
    migrating: 'invalid_state',
    shelved: 'invalid_state',
    maintenance: 'invalid_state',
    error: 'call',
    deleted: 'invalid_state',
    unknown: 'invalid_state',
  },
  reboot: {
    creating: 'invalid_state',
    running: 'call',
    stopped: 'invalid_state',
    paused: 'invalid_state',
    suspended: 'invalid_state',
    rebooting: 'invalid_state',
    resizing: 'invalid_state',
    migrating: 'invalid_state',
    shelved: 'invalid_state',
    maintenance: 'invalid_state',
    error: 'invalid_state',
    deleted: 'invalid_state',
    unknown: 'invalid_state',
  },
  hard_reboot: {
    creating: 'invalid_state',
    running: 'call',
    stopped: 'invalid_state',
    paused: 'invalid_state',
    suspended: 'invalid_state',
    rebooting: 'call',
    resizing: 'invalid_state',
    migrating: 'invalid_state',
    shelved: 'invalid_state',
    maintenance: 'invalid_state',
    error: 'call',
    deleted: 'invalid_state',
    unknown: 'invalid_state',
  },
  delete: {
    creating: 'call',
    running: 'force_required',
    stopped: 'call',
    paused: 'call',
    suspended: 'call',
    rebooting: 'invalid_state',
    resizing: 'invalid_state',
    migrating: 'invalid_state',
    shelved: 'call',
    maintenance: 'invalid_state',
    error: 'call',
    deleted: 'already',
    unknown: 'invalid_state',
  },
};

function summarise(decision: VmActionDecision): Expected {
  if (decision.kind === 'conflict') {
    return decision.reason;
  }
  return decision.kind;
}

const MATRIX_CASES = VM_ACTIONS.flatMap((action) =>
  PORTAL_VM_STATUSES.map((status) => [action, status, MATRIX[action][status]] as const),
);

describe('decideVmAction', () => {
  it.each(MATRIX_CASES)('%s on %s gives %s', (action, status, expected) => {
    const decision = decideVmAction({ action, status, pendingAction: null });

    expect(summarise(decision)).toBe(expected);
  });

  it.each([
    ['start', 'starting', 'running'],
    ['stop', 'stopping', 'stopped'],
    ['reboot', 'rebooting', 'running'],
    ['hard_reboot', 'rebooting', 'running'],
  ] as const)('%s call sets pending %s and target %s', (action, pending, target) => {
    const status: PortalVmStatus = action === 'start' ? 'stopped' : 'running';

    expect(decideVmAction({ action, status, pendingAction: null })).toEqual({
      kind: 'call',
      action,
      pending,
      target,
      needsStopFirst: false,
    });
  });

  it('start on running needs no call', () => {
    expect(decideVmAction({ action: 'start', status: 'running', pendingAction: null })).toEqual({
      kind: 'already',
      action: 'start',
      status: 'running',
    });
  });

  it('stop on stopped needs no call', () => {
    expect(decideVmAction({ action: 'stop', status: 'stopped', pendingAction: null }).kind).toBe('already');
  });

  it.each(
    VM_ACTIONS.flatMap((action) => PENDING_ACTIONS.map((pending) => [action, pending] as const)),
  )('%s while %s is pending conflicts', (action, pendingAction) => {
    const decision = decideVmAction({ action, status: 'running', pendingAction, force: true });

    expect(decision.kind).toBe('conflict');
    if (decision.kind === 'conflict') {
      expect(decision.reason).toBe('pending_action');
      expect(decision.pendingAction).toBe(pendingAction);
    }
  });

  it('pending action wins over already reached', () => {
    const decision = decideVmAction({ action: 'start', status: 'running', pendingAction: 'stopping' });

    expect(decision.kind).toBe('conflict');
  });

  it('delete running without force conflicts', () => {
    const decision = decideVmAction({ action: 'delete', status: 'running', pendingAction: null, force: false });

    expect(decision).toEqual({
      kind: 'conflict',
      action: 'delete',
      reason: 'force_required',
      status: 'running',
      pendingAction: null,
      allowedStatuses: ['creating', 'running', 'stopped', 'paused', 'suspended', 'shelved', 'error'],
    });
  });

  it('forced delete of running stops first', () => {
    expect(decideVmAction({ action: 'delete', status: 'running', pendingAction: null, force: true })).toEqual({
      kind: 'call',
      action: 'delete',
      pending: 'deleting',
      target: 'deleted',
      needsStopFirst: true,
    });
  });

  it('delete of stopped needs no stop', () => {
    const decision = decideVmAction({ action: 'delete', status: 'stopped', pendingAction: null, force: true });

    expect(decision).toMatchObject({ kind: 'call', needsStopFirst: false, pending: 'deleting' });
  });

  it('conflict lists allowed statuses', () => {
    const decision = decideVmAction({ action: 'reboot', status: 'stopped', pendingAction: null });

    expect(decision).toMatchObject({ kind: 'conflict', reason: 'invalid_state', allowedStatuses: ['running'] });
  });
});

describe('novaConfirmationTarget', () => {
  it.each([
    ['creating', ['ACTIVE'], false],
    ['starting', ['ACTIVE'], false],
    ['stopping', ['SHUTOFF'], false],
    ['rebooting', ['ACTIVE'], false],
    ['deleting', ['DELETED', 'SOFT_DELETED'], true],
  ] as const)('%s confirms on %j', (pending, statuses, notFoundConfirms) => {
    const target = novaConfirmationTarget(pending);

    expect(target.statuses).toEqual(statuses);
    expect(target.notFoundConfirms).toBe(notFoundConfirms);
  });
});

describe('evaluateActionProgress', () => {
  it.each([
    ['creating', 'ACTIVE', 'running'],
    ['starting', 'ACTIVE', 'running'],
    ['stopping', 'SHUTOFF', 'stopped'],
    ['rebooting', 'ACTIVE', 'running'],
    ['deleting', 'DELETED', 'deleted'],
    ['deleting', 'SOFT_DELETED', 'deleted'],
  ] as const)('%s completes on %s', (pending, status, portalStatus) => {
    expect(evaluateActionProgress(pending, { status, taskState: null })).toEqual({
      state: 'completed',
      status: portalStatus,
    });
  });

  it.each([
    ['creating', 'BUILD', 'spawning'],
    ['creating', 'ACTIVE', 'spawning'],
    ['starting', 'SHUTOFF', 'powering-on'],
    ['starting', 'ACTIVE', 'powering-on'],
    ['stopping', 'ACTIVE', 'powering-off'],
    ['stopping', 'SHUTOFF', 'powering-off'],
    ['rebooting', 'REBOOT', 'reboot_started'],
    ['rebooting', 'HARD_REBOOT', 'rebooting_hard'],
    ['rebooting', 'ACTIVE', 'rebooting'],
    ['deleting', 'ACTIVE', 'deleting'],
    ['deleting', 'SHUTOFF', null],
  ] as const)('%s is in progress at %s / %s', (pending, status, taskState) => {
    const progress = evaluateActionProgress(pending, { status, taskState });

    expect(progress.state).toBe('in_progress');
  });

  it('deleting completes on DELETED with task', () => {
    expect(evaluateActionProgress('deleting', { status: 'DELETED', taskState: 'deleting' }).state).toBe('completed');
  });

  it('deleting completes on 404', () => {
    expect(evaluateActionProgress('deleting', { notFound: true })).toEqual({ state: 'completed', status: 'deleted' });
  });

  it.each(['creating', 'starting', 'stopping', 'rebooting'] as const)('%s fails on 404', (pending) => {
    expect(evaluateActionProgress(pending, { notFound: true })).toEqual({
      state: 'failed',
      reason: 'not_found',
      status: 'deleted',
      faultMessage: null,
    });
  });

  it.each(PENDING_ACTIONS)('%s fails on ERROR with fault', (pending: PendingAction) => {
    const progress = evaluateActionProgress(pending, {
      status: 'ERROR',
      taskState: null,
      fault: { message: 'No valid host was found.' },
    });

    expect(progress).toEqual({
      state: 'failed',
      reason: 'error_status',
      status: 'error',
      faultMessage: 'No valid host was found.',
    });
  });

  it('unknown status stays in progress', () => {
    const progress = evaluateActionProgress('starting', { status: 'SOMETHING_NEW', taskState: null });

    expect(progress).toEqual({ state: 'in_progress', status: 'unknown', taskState: null });
  });

  it('reports task state while in progress', () => {
    const progress = evaluateActionProgress('stopping', { status: 'ACTIVE', taskState: 'powering-off' });

    expect(progress).toEqual({ state: 'in_progress', status: 'running', taskState: 'powering-off' });
  });
});
