/**
 * Maps the state Nova reports for a server to the status the portal shows and stores.
 *
 * The database stores `PortalVmStatus` values, so `PORTAL_VM_STATUSES` is the list for its
 * CHECK constraint. Adding a status means a migration as well as a change here.
 */

export const PORTAL_VM_STATUSES = [
  'creating',
  'running',
  'stopped',
  'paused',
  'suspended',
  'rebooting',
  'resizing',
  'migrating',
  'shelved',
  'maintenance',
  'error',
  'deleted',
  'unknown',
] as const;

export type PortalVmStatus = (typeof PORTAL_VM_STATUSES)[number];

/** Actions the portal started and still waits to see confirmed by Nova. */
export const PENDING_ACTIONS = ['creating', 'starting', 'stopping', 'rebooting', 'deleting'] as const;

export type PendingAction = (typeof PENDING_ACTIONS)[number];

/** Server fields as Nova returns them in `GET /servers/{id}`. */
export interface NovaServerState {
  /** `status`, for example `ACTIVE` or `SHUTOFF`. */
  status: string | null | undefined;
  /** `OS-EXT-STS:task_state`, for example `powering-off`, or null when no task runs. */
  taskState?: string | null;
  /** `OS-EXT-STS:vm_state`, for example `active`. Nova returns it only when policy allows. Kept for logs. */
  vmState?: string | null;
  /** `fault`, which Nova includes when the server is in ERROR. */
  fault?: { message?: string | null; code?: number | null } | null;
}

export interface PortalStatus {
  status: PortalVmStatus;
  /**
   * False when the portal cannot tell the VM's state: Nova sent UNKNOWN, no status, or a status
   * the table does not list. The caller logs such a status once.
   */
  recognised: boolean;
  /** The Nova status as received, kept for logs and for the unrecognised case. */
  novaStatus: string | null;
  taskState: string | null;
  vmState: string | null;
  /** True while Nova runs a task on the server, such as ACTIVE with task_state `powering-off`. */
  inTransition: boolean;
  /** Nova's fault message for ERROR servers, or null when Nova sent none. */
  faultMessage: string | null;
}

const STATUS_BY_NOVA_STATUS: Readonly<Record<string, PortalVmStatus>> = {
  BUILD: 'creating',
  ACTIVE: 'running',
  SHUTOFF: 'stopped',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  REBOOT: 'rebooting',
  HARD_REBOOT: 'rebooting',
  RESIZE: 'resizing',
  VERIFY_RESIZE: 'resizing',
  REVERT_RESIZE: 'resizing',
  MIGRATING: 'migrating',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved',
  RESCUE: 'maintenance',
  REBUILD: 'maintenance',
  PASSWORD: 'maintenance',
  ERROR: 'error',
  DELETED: 'deleted',
  SOFT_DELETED: 'deleted',
};

/**
 * Maps a Nova server state to a portal status.
 *
 * Nova documents `status` in upper case, and the lookup ignores case so that a lower-case value
 * from a proxy still maps. UNKNOWN and any status missing from the table map to `unknown` with
 * `recognised: false`. An empty `status` also maps to `unknown`, because `vm_state` alone does
 * not tell a reboot from a running server.
 */
export function mapNovaServerState(state: NovaServerState): PortalStatus {
  const novaStatus = normaliseText(state.status);
  const taskState = normaliseText(state.taskState);
  const vmState = normaliseText(state.vmState);

  const mapped = novaStatus === null ? undefined : STATUS_BY_NOVA_STATUS[novaStatus.toUpperCase()];
  const status: PortalVmStatus = mapped ?? 'unknown';
  const recognised = mapped !== undefined;

  const faultMessage = status === 'error' ? normaliseText(state.fault?.message) : null;

  return {
    status,
    recognised,
    novaStatus,
    taskState,
    vmState,
    inTransition: taskState !== null,
    faultMessage,
  };
}

/** Returns the status for a server whose `GET /servers/{id}` returns 404 Not Found. */
export function mapNovaServerNotFound(): PortalStatus {
  return {
    status: 'deleted',
    recognised: true,
    novaStatus: null,
    taskState: null,
    vmState: null,
    inTransition: false,
    faultMessage: null,
  };
}

export function isPortalVmStatus(value: string): value is PortalVmStatus {
  return (PORTAL_VM_STATUSES as readonly string[]).includes(value);
}

export function isPendingAction(value: string): value is PendingAction {
  return (PENDING_ACTIONS as readonly string[]).includes(value);
}

/** Turns undefined, null, empty and blank strings into null so that callers test one value. */
function normaliseText(value: string | null | undefined): string | null {
  if (value === undefined || value === null) {
    return null;
  }

  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
