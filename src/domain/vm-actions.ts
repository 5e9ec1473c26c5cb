/**
 * Rules for the power and delete actions a tenant can request on a VM. `decideVmAction` decides
 * whether the portal calls Nova, reports the target as already reached, or rejects the request.
 * `evaluateActionProgress` checks a polled Nova state to confirm that the action finished.
 */

import type { NovaServerState, PendingAction, PortalVmStatus } from './vm-status.ts';
import { mapNovaServerState } from './vm-status.ts';

export const VM_ACTIONS = ['start', 'stop', 'reboot', 'hard_reboot', 'delete'] as const;

export type VmAction = (typeof VM_ACTIONS)[number];

export interface VmActionRequest {
  action: VmAction;
  status: PortalVmStatus;
  /** The action the portal already waits on for this VM, or null. */
  pendingAction: PendingAction | null;
  /** Only read for delete: allows deleting a running VM, which the portal stops first. */
  force?: boolean;
}

export type VmActionDecision =
  | {
      kind: 'call';
      action: VmAction;
      pending: PendingAction;
      target: PortalVmStatus;
      /** True for a forced delete of a running VM: stop it, then delete it. */
      needsStopFirst: boolean;
    }
  | { kind: 'already'; action: VmAction; status: PortalVmStatus }
  | {
      kind: 'conflict';
      action: VmAction;
      reason: 'pending_action' | 'invalid_state' | 'force_required';
      status: PortalVmStatus;
      pendingAction: PendingAction | null;
      /** Statuses from which this action is accepted, so the API can tell the user what to wait for. */
      allowedStatuses: readonly PortalVmStatus[];
    };

interface ActionRule {
  pending: PendingAction;
  target: PortalVmStatus;
  /** The status in which the action has nothing to do and succeeds without a Nova call. */
  alreadyAt: PortalVmStatus | null;
  allowedFrom: readonly PortalVmStatus[];
}

/*
 * Statuses the portal accepts each action from. They are a subset of what Nova's compute API
 * (nova/compute/api.py) accepts: start needs vm_state STOPPED, stop needs ACTIVE or ERROR, soft
 * reboot needs ACTIVE, and hard reboot accepts ACTIVE, STOPPED, PAUSED, SUSPENDED and ERROR,
 * also during a soft reboot. The portal offers start, resume and unpause as separate actions,
 * so hard reboot accepts only running, rebooting and error. Delete rejects transitional
 * statuses, so a delete never races a resize or migration, and rejects `unknown`, because the
 * portal cannot tell whether the VM still runs.
 */
const ACTION_RULES: Readonly<Record<VmAction, ActionRule>> = {
  start: { pending: 'starting', target: 'running', alreadyAt: 'running', allowedFrom: ['stopped'] },
  stop: { pending: 'stopping', target: 'stopped', alreadyAt: 'stopped', allowedFrom: ['running', 'error'] },
  reboot: { pending: 'rebooting', target: 'running', alreadyAt: null, allowedFrom: ['running'] },
  hard_reboot: {
    pending: 'rebooting',
    target: 'running',
    alreadyAt: null,
    allowedFrom: ['running', 'rebooting', 'error'],
  },
  delete: {
    pending: 'deleting',
    target: 'deleted',
    alreadyAt: 'deleted',
    allowedFrom: ['creating', 'running', 'stopped', 'paused', 'suspended', 'shelved', 'error'],
  },
};

/**
 * Decides what to do with a requested action.
 *
 * A VM with a pending action rejects every new action, including a repeat of the pending one,
 * so two workers never call Nova for the same VM at once. A finished target (start on running,
 * stop on stopped, delete on deleted) succeeds without a Nova call. Delete of a running VM needs
 * `force`, and then the portal stops the VM before deleting it.
 */
export function decideVmAction(request: VmActionRequest): VmActionDecision {
  const { action, status, pendingAction } = request;
  const rule = ACTION_RULES[action];

  if (pendingAction !== null) {
    return conflict(request, 'pending_action');
  }

  if (rule.alreadyAt === status) {
    return { kind: 'already', action, status };
  }

  if (!rule.allowedFrom.includes(status)) {
    return conflict(request, 'invalid_state');
  }

  const stopsRunningVm = action === 'delete' && status === 'running';
  if (stopsRunningVm && request.force !== true) {
    return conflict(request, 'force_required');
  }

  return { kind: 'call', action, pending: rule.pending, target: rule.target, needsStopFirst: stopsRunningVm };
}

function conflict(
  request: VmActionRequest,
  reason: 'pending_action' | 'invalid_state' | 'force_required',
): VmActionDecision {
  return {
    kind: 'conflict',
    action: request.action,
    reason,
    status: request.status,
    pendingAction: request.pendingAction,
    allowedStatuses: ACTION_RULES[request.action].allowedFrom,
  };
}

/** The Nova state that confirms a pending action. */
export interface NovaConfirmationTarget {
  /** Nova `status` values, in upper case, that confirm the action once no task runs. */
  statuses: readonly string[];
  /** True when a 404 from Nova confirms the action. */
  notFoundConfirms: boolean;
  /** True when the status confirms the action only once task_state is null. */
  requiresNoTask: boolean;
}

const CONFIRMATION_TARGETS: Readonly<Record<PendingAction, NovaConfirmationTarget>> = {
  creating: { statuses: ['ACTIVE'], notFoundConfirms: false, requiresNoTask: true },
  starting: { statuses: ['ACTIVE'], notFoundConfirms: false, requiresNoTask: true },
  stopping: { statuses: ['SHUTOFF'], notFoundConfirms: false, requiresNoTask: true },
  // Nova shows REBOOT or HARD_REBOOT during the reboot and ACTIVE with no task afterwards.
  rebooting: { statuses: ['ACTIVE'], notFoundConfirms: false, requiresNoTask: true },
  // A DELETED server is gone, even while task_state still shows `deleting`.
  deleting: { statuses: ['DELETED', 'SOFT_DELETED'], notFoundConfirms: true, requiresNoTask: false },
};

export function novaConfirmationTarget(pending: PendingAction): NovaConfirmationTarget {
  return CONFIRMATION_TARGETS[pending];
}

/** Result of polling Nova for the server: a 404, or the server's state. */
export type NovaObservation = { notFound: true } | ({ notFound?: false } & NovaServerState);

export type ActionProgress =
  | { state: 'completed'; status: PortalVmStatus }
  | {
      state: 'failed';
      reason: 'error_status' | 'not_found';
      status: PortalVmStatus;
      /** Nova's fault message for ERROR, or null when Nova sent none or the server vanished. */
      faultMessage: string | null;
    }
  | { state: 'in_progress'; status: PortalVmStatus; taskState: string | null };

/**
 * Compares a polled Nova state with the target of the pending action.
 *
 * Except for delete, the target status counts only once task_state is null. Nova's compute API
 * saves the task state before it returns 202 for start, stop and reboot, so ACTIVE with
 * task_state `rebooting` right after a reboot call is still in progress, not done. ERROR fails
 * every action. A 404 confirms a delete and fails every other action. Unknown and unrelated
 * statuses count as in progress, so the caller's timeout decides when to give up.
 */
export function evaluateActionProgress(pending: PendingAction, observation: NovaObservation): ActionProgress {
  const target = CONFIRMATION_TARGETS[pending];

  if (observation.notFound === true) {
    if (target.notFoundConfirms) {
      return { state: 'completed', status: 'deleted' };
    }
    return { state: 'failed', reason: 'not_found', status: 'deleted', faultMessage: null };
  }

  const mapped = mapNovaServerState(observation);
  const novaStatus = mapped.novaStatus?.toUpperCase() ?? null;

  if (mapped.status === 'error') {
    return { state: 'failed', reason: 'error_status', status: 'error', faultMessage: mapped.faultMessage };
  }

  const reachedTarget = novaStatus !== null && target.statuses.includes(novaStatus);
  if (reachedTarget && !(target.requiresNoTask && mapped.inTransition)) {
    return { state: 'completed', status: mapped.status };
  }

  return { state: 'in_progress', status: mapped.status, taskState: mapped.taskState };
}
