import type { OperationName, Server, VmState } from './types.ts';

/** Durations in milliseconds of each phase of Nova's state machine. */
export interface Timings {
  scheduling: number;
  networking: number;
  spawning: number;
  powerOff: number;
  powerOn: number;
  softReboot: number;
  hardReboot: number;
  pause: number;
  unpause: number;
  suspend: number;
  resume: number;
  delete: number;
  /** Time a deleted server stays fetchable with status DELETED before GET returns 404. */
  deletedVisible: number;
  /** Out-of-band resize, confirmed at once. */
  resize: number;
  /** Each of the four phases of a resize through the API (prep, migrating, migrated, finish), and a revert. */
  resizePhase: number;
  volumeCreate: number;
  volumeDelete: number;
}

/**
 * Defaults near what the local Zed cloud with Nova's fake driver showed when polled every 250 ms:
 * a build about 6 s, stop and start about 1 s, a soft reboot about 2 s, a resize about 9 s.
 */
export const defaultTimings: Timings = {
  scheduling: 1000,
  networking: 1000,
  spawning: 4000,
  powerOff: 1000,
  powerOn: 1000,
  softReboot: 2000,
  hardReboot: 1500,
  pause: 500,
  unpause: 500,
  suspend: 1000,
  resume: 1000,
  delete: 1000,
  deletedVisible: 2000,
  resize: 3000,
  resizePhase: 2000,
  volumeCreate: 1000,
  volumeDelete: 1000,
};

/** Nova power_state values. */
export const PowerState = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

/** Side effects a step needs from the store. */
export interface LifecycleHooks {
  allocatePorts(server: Server, now: number): void;
  releasePorts(server: Server, now: number): void;
  detachVolumes(server: Server, now: number): void;
  applyFlavor(server: Server, flavorId: string): void;
  /** Restores the flavor saved in `resizedFrom`. */
  restoreFlavor(server: Server): void;
}

interface Step {
  wait: keyof Timings;
  apply(server: Server, now: number, params: Record<string, string>, hooks: LifecycleHooks): void;
}

function settle(vmState: VmState, powerState: number) {
  return (server: Server): void => {
    server.vmState = vmState;
    server.taskState = null;
    server.powerState = powerState;
  };
}

const steps: Record<OperationName, Step[]> = {
  build: [
    {
      wait: 'scheduling',
      apply: (s, now, _p, hooks) => {
        s.taskState = 'networking';
        hooks.allocatePorts(s, now);
      },
    },
    { wait: 'networking', apply: (s) => void (s.taskState = 'spawning') },
    {
      wait: 'spawning',
      apply: (s, now, params) => {
        if (params.outcome === 'stuck') return;
        if (params.outcome === 'error') {
          s.vmState = 'error';
          s.taskState = null;
          s.powerState = PowerState.NOSTATE;
          s.fault = {
            code: 500,
            message: params.faultMessage ?? 'Build of instance ' + s.id + ' aborted: simulated failure',
            details: 'Traceback omitted by the simulator',
            created: now,
          };
          return;
        }
        settle('active', PowerState.RUNNING)(s);
        s.launchedAt = now;
      },
    },
  ],
  stop: [{ wait: 'powerOff', apply: settle('stopped', PowerState.SHUTDOWN) }],
  start: [{ wait: 'powerOn', apply: settle('active', PowerState.RUNNING) }],
  'reboot-soft': [{ wait: 'softReboot', apply: settle('active', PowerState.RUNNING) }],
  'reboot-hard': [{ wait: 'hardReboot', apply: settle('active', PowerState.RUNNING) }],
  // Paused as libvirt reports it (3); Nova's fake driver keeps 1.
  pause: [{ wait: 'pause', apply: settle('paused', PowerState.PAUSED) }],
  unpause: [{ wait: 'unpause', apply: settle('active', PowerState.RUNNING) }],
  // A suspended libvirt guest is saved to disk and reports SHUTDOWN; Nova's fake driver keeps 1.
  suspend: [{ wait: 'suspend', apply: settle('suspended', PowerState.SHUTDOWN) }],
  resume: [{ wait: 'resume', apply: settle('active', PowerState.RUNNING) }],
  delete: [
    {
      wait: 'delete',
      apply: (s, now, _p, hooks) => {
        s.vmState = 'deleted';
        s.taskState = null;
        s.powerState = PowerState.NOSTATE;
        s.terminatedAt = now;
        hooks.releasePorts(s, now);
        hooks.detachVolumes(s, now);
      },
    },
    { wait: 'deletedVisible', apply: (s, now) => void (s.deletedAt = now) },
  ],
  resize: [
    {
      wait: 'resize',
      apply: (s, _now, params, hooks) => {
        if (params.flavorId) hooks.applyFlavor(s, params.flavorId);
        s.taskState = null;
      },
    },
  ],
  'resize-verify': [
    { wait: 'resizePhase', apply: (s) => void (s.taskState = 'resize_migrating') },
    { wait: 'resizePhase', apply: (s) => void (s.taskState = 'resize_migrated') },
    { wait: 'resizePhase', apply: (s) => void (s.taskState = 'resize_finish') },
    {
      wait: 'resizePhase',
      apply: (s, _now, params, hooks) => {
        if (params.flavorId) hooks.applyFlavor(s, params.flavorId);
        s.vmState = 'resized';
        s.taskState = null;
      },
    },
  ],
  'revert-resize': [
    {
      wait: 'resizePhase',
      apply: (s, _now, _params, hooks) => {
        hooks.restoreFlavor(s);
        s.vmState = s.resizedFrom?.vmState ?? 'active';
        s.powerState = s.vmState === 'stopped' ? PowerState.SHUTDOWN : PowerState.RUNNING;
        s.resizedFrom = null;
        s.taskState = null;
      },
    },
  ],
};

/** task_state set at the moment an operation is accepted. */
export const initialTaskState: Record<OperationName, string> = {
  build: 'scheduling',
  stop: 'powering-off',
  start: 'powering-on',
  'reboot-soft': 'rebooting',
  'reboot-hard': 'rebooting_hard',
  pause: 'pausing',
  unpause: 'unpausing',
  suspend: 'suspending',
  resume: 'resuming',
  delete: 'deleting',
  resize: 'resize_prep',
  'resize-verify': 'resize_prep',
  'revert-resize': 'resize_reverting',
};

/** Number of timed steps of an operation. */
export function stepCount(op: OperationName): number {
  return steps[op].length;
}

export function stepWait(op: OperationName, index: number): keyof Timings | undefined {
  return steps[op][index]?.wait;
}

export function applyStep(server: Server, now: number, hooks: LifecycleHooks): void {
  const pending = server.pending;
  if (!pending) return;
  steps[pending.op][pending.step]?.apply(server, now, pending.params, hooks);
}

/** Nova API status for a vm_state/task_state pair (nova.api.openstack.common._STATE_MAP). */
export function serverStatus(vmState: VmState, taskState: string | null): string {
  const t = taskState ?? '';
  switch (vmState) {
    case 'active':
      if (t === 'rebooting' || t === 'reboot_pending' || t === 'reboot_started') return 'REBOOT';
      if (t === 'rebooting_hard' || t === 'reboot_pending_hard' || t === 'reboot_started_hard') return 'HARD_REBOOT';
      if (t.startsWith('resize_')) return 'RESIZE';
      if (t.startsWith('rebuild')) return 'REBUILD';
      if (t === 'migrating') return 'MIGRATING';
      if (t === 'updating_password') return 'PASSWORD';
      return 'ACTIVE';
    case 'building':
      return 'BUILD';
    case 'stopped':
      if (t.startsWith('resize_')) return 'RESIZE';
      if (t.startsWith('rebuild')) return 'REBUILD';
      return 'SHUTOFF';
    case 'resized':
      return t === 'resize_reverting' ? 'REVERT_RESIZE' : 'VERIFY_RESIZE';
    case 'paused':
      return 'PAUSED';
    case 'suspended':
      return 'SUSPENDED';
    case 'rescued':
      return 'RESCUE';
    case 'error':
      return t.startsWith('rebuild') ? 'REBUILD' : 'ERROR';
    case 'deleted':
      return 'DELETED';
    case 'soft-delete':
      return 'SOFT_DELETED';
    case 'shelved':
      return 'SHELVED';
    case 'shelved_offloaded':
      return 'SHELVED_OFFLOADED';
  }
}

/**
 * States in which Nova accepts an action, after its check_instance_state rules.
 * NOTE: only start, stop, reboot and confirmResize were checked against a real (Zed) cloud.
 */
const allowed: Record<string, { vm: VmState[]; task: (string | null)[] }> = {
  start: { vm: ['stopped'], task: [null] },
  stop: { vm: ['active', 'error'], task: [null] },
  'reboot-soft': { vm: ['active'], task: [null] },
  'reboot-hard': {
    vm: ['active', 'stopped', 'paused', 'suspended', 'error'],
    task: [null, 'rebooting', 'reboot_pending', 'reboot_started', 'rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard'],
  },
  pause: { vm: ['active'], task: [null] },
  unpause: { vm: ['paused'], task: [null] },
  suspend: { vm: ['active'], task: [null] },
  resume: { vm: ['suspended'], task: [null] },
  resize: { vm: ['active', 'stopped'], task: [null] },
  'resize-verify': { vm: ['active', 'stopped'], task: [null] },
  'revert-resize': { vm: ['resized'], task: [null] },
  'confirm-resize': { vm: ['resized'], task: [null] },
};

/**
 * Returns Nova's 409 message when the server's state forbids the operation, or null when the
 * action may proceed. Nova checks vm_state first, then task_state.
 */
export function invalidStateMessage(server: Server, op: OperationName | 'confirm-resize', apiAction: string): string | null {
  const rule = allowed[op];
  if (!rule) return null;
  if (!rule.vm.includes(server.vmState)) {
    return `Cannot '${apiAction}' instance ${server.id} while it is in vm_state ${server.vmState}`;
  }
  if (!rule.task.includes(server.taskState)) {
    return `Cannot '${apiAction}' instance ${server.id} while it is in task_state ${server.taskState}`;
  }
  return null;
}
