import type { OpenStackClient } from '../client.ts';
import { isJsonObject, optionalString, parseOpenStackTime, requireArray, requireObject } from '../decode.ts';
import { computeRequest } from './microversion.ts';

export interface InstanceActionEvent {
  event: string;
  startTime: Date | null;
  finishTime: Date | null;
  /** `Success` or `Error`; non-admins see it from 2.51 on. */
  result: string | null;
  /** Admin only. */
  traceback: string | null;
  /** 2.62 and later. */
  host: string | null;
}

/** One instance action, e.g. `create`, `stop`, `reboot`. `message` contains the failure reason, if any. */
export interface InstanceAction {
  action: string;
  requestId: string;
  instanceUuid: string | null;
  userId: string | null;
  projectId: string | null;
  startTime: Date | null;
  updatedAt: Date | null;
  message: string | null;
  events: InstanceActionEvent[];
}

function decodeEvent(value: unknown): InstanceActionEvent {
  const event = requireObject(value, 'instance action event');
  return {
    event: optionalString(event, 'event') ?? '',
    startTime: parseOpenStackTime(event['start_time']),
    finishTime: parseOpenStackTime(event['finish_time']),
    result: optionalString(event, 'result'),
    traceback: optionalString(event, 'traceback'),
    host: optionalString(event, 'host'),
  };
}

function decodeInstanceAction(value: unknown): InstanceAction {
  const action = requireObject(value, 'instance action');
  const events = Array.isArray(action['events']) ? action['events'].filter(isJsonObject).map(decodeEvent) : [];
  return {
    action: optionalString(action, 'action') ?? '',
    requestId: optionalString(action, 'request_id') ?? '',
    instanceUuid: optionalString(action, 'instance_uuid'),
    userId: optionalString(action, 'user_id'),
    projectId: optionalString(action, 'project_id'),
    startTime: parseOpenStackTime(action['start_time']),
    updatedAt: parseOpenStackTime(action['updated_at']),
    message: optionalString(action, 'message'),
    events,
  };
}

/** Lists `GET /servers/{id}/os-instance-actions`, newest first; works for deleted servers from 2.21 on. */
export async function listInstanceActions(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<InstanceAction[]> {
  const response = await computeRequest(client, { method: 'GET', path: `/servers/${encodeURIComponent(serverId)}/os-instance-actions`, signal });
  return requireArray(requireObject(response.body, 'instance actions response')['instanceActions'], 'instanceActions').map(decodeInstanceAction);
}

/** Reads one action with its events by the request id Nova logged for it. */
export async function getInstanceAction(client: OpenStackClient, serverId: string, requestId: string, signal?: AbortSignal): Promise<InstanceAction> {
  const response = await computeRequest(client, {
    method: 'GET',
    path: `/servers/${encodeURIComponent(serverId)}/os-instance-actions/${encodeURIComponent(requestId)}`,
    signal,
  });
  return decodeInstanceAction(requireObject(response.body, 'instance action response')['instanceAction']);
}
