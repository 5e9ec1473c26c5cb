import type { OpenStackClient } from '../client.ts';
import { optionalString, requireObject } from '../decode.ts';
import { invalidResponseError } from '../errors.ts';
import { atLeast, computeMicroversion, computeRequest } from './microversion.ts';

export type ConsoleProtocol = 'vnc' | 'spice' | 'rdp' | 'serial' | 'mks';

export interface RemoteConsoleRequest {
  protocol: ConsoleProtocol;
  /** e.g. `novnc` for vnc, `spice-html5` for spice, `serial` for serial. */
  type: string;
  signal?: AbortSignal;
}

export interface RemoteConsole {
  protocol: string;
  type: string;
  url: string;
}

const LEGACY_ACTIONS: Partial<Record<ConsoleProtocol, string>> = {
  vnc: 'os-getVNCConsole',
  spice: 'os-getSPICEConsole',
  rdp: 'os-getRDPConsole',
  serial: 'os-getSerialConsole',
};

/**
 * Returns a remote console URL: `POST /servers/{id}/remote-consoles` from 2.6 on, the
 * `os-get<Protocol>Console` actions before. Nova's fake driver has no console, so on such clouds
 * this fails (the acceptance tests record the exact error).
 */
export async function getRemoteConsole(client: OpenStackClient, serverId: string, request: RemoteConsoleRequest): Promise<RemoteConsole> {
  const microversion = await computeMicroversion(client, request.signal);
  const serverPath = `/servers/${encodeURIComponent(serverId)}`;

  if (atLeast(microversion, '2.6')) {
    const response = await computeRequest(client, {
      method: 'POST',
      path: `${serverPath}/remote-consoles`,
      json: { remote_console: { protocol: request.protocol, type: request.type } },
      signal: request.signal,
    });
    const console = requireObject(requireObject(response.body, 'console response')['remote_console'], 'remote_console');
    return { protocol: optionalString(console, 'protocol') ?? request.protocol, type: optionalString(console, 'type') ?? request.type, url: optionalString(console, 'url') ?? '' };
  }

  const action = LEGACY_ACTIONS[request.protocol];
  if (action === undefined) {
    throw invalidResponseError(`Console protocol ${request.protocol} needs compute microversion 2.8 or later`);
  }
  const response = await computeRequest(client, {
    method: 'POST',
    path: `${serverPath}/action`,
    json: { [action]: { type: request.type } },
    signal: request.signal,
  });
  const console = requireObject(requireObject(response.body, 'console response')['console'], 'console');
  return { protocol: request.protocol, type: optionalString(console, 'type') ?? request.type, url: optionalString(console, 'url') ?? '' };
}
