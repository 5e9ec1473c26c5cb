/**
 * Chooses the Neutron network for a new VM, or checks a network the tenant picked.
 *
 * A usable network belongs to the tenant's project or is shared, is not `router:external`
 * (external networks carry floating IPs, not VM ports), has `admin_state_up` true and status
 * `ACTIVE`. Names compare exactly, never by substring, so "prod" never selects "prod-old".
 */

import { compareCodeUnits } from './text-order.ts';

export interface NetworkInfo {
  id: string;
  name: string;
  /** Neutron `project_id` of the owner. */
  projectId: string;
  shared: boolean;
  /** Neutron `router:external`. */
  external: boolean;
  adminStateUp: boolean;
  /** Neutron status, for example `ACTIVE` or `DOWN`. */
  status: string;
}

export type NetworkRejection = 'external' | 'admin_down' | 'not_active' | 'other_project';

export interface RejectedNetwork {
  networkId: string;
  networkName: string;
  reasons: NetworkRejection[];
}

export interface NetworkChoiceOptions {
  projectId: string;
  /** Network names to prefer, best first. The first name that a usable network has wins. */
  preferredNames?: readonly string[];
}

export type NetworkChoiceResult =
  | { ok: true; network: NetworkInfo }
  | {
      ok: false;
      code: 'NO_USABLE_NETWORK';
      details: { projectId: string; rejected: RejectedNetwork[] };
    }
  | { ok: false; code: 'NETWORK_NOT_FOUND'; details: { networkId: string } }
  | {
      ok: false;
      code: 'NETWORK_NOT_USABLE';
      details: { networkId: string; networkName: string; reasons: NetworkRejection[] };
    };

/**
 * Chooses a usable network. The order is: position of the name in `preferredNames`, then
 * networks owned by the project before shared ones, then name, then id.
 */
export function chooseNetwork(networks: readonly NetworkInfo[], options: NetworkChoiceOptions): NetworkChoiceResult {
  const preferredNames = options.preferredNames ?? [];

  const usable = networks.filter((network) => findNetworkRejections(network, options.projectId).length === 0);

  const ordered = [...usable].sort(
    (left, right) =>
      preferenceRank(left, preferredNames) - preferenceRank(right, preferredNames) ||
      ownershipRank(left, options.projectId) - ownershipRank(right, options.projectId) ||
      compareCodeUnits(left.name, right.name) ||
      compareCodeUnits(left.id, right.id),
  );

  const best = ordered[0];
  if (best !== undefined) {
    return { ok: true, network: best };
  }

  const rejected = networks.map((network) => ({
    networkId: network.id,
    networkName: network.name,
    reasons: findNetworkRejections(network, options.projectId),
  }));
  return { ok: false, code: 'NO_USABLE_NETWORK', details: { projectId: options.projectId, rejected } };
}

/** Checks a network id the tenant picked with the same rules as `chooseNetwork`. */
export function validateNetworkChoice(
  networks: readonly NetworkInfo[],
  networkId: string,
  projectId: string,
): NetworkChoiceResult {
  const network = networks.find((candidate) => candidate.id === networkId);
  if (network === undefined) {
    return { ok: false, code: 'NETWORK_NOT_FOUND', details: { networkId } };
  }

  const reasons = findNetworkRejections(network, projectId);
  if (reasons.length > 0) {
    return { ok: false, code: 'NETWORK_NOT_USABLE', details: { networkId, networkName: network.name, reasons } };
  }

  return { ok: true, network };
}

/** Lists every reason the network cannot take the project's VM ports, or none when it can. */
export function findNetworkRejections(network: NetworkInfo, projectId: string): NetworkRejection[] {
  const reasons: NetworkRejection[] = [];

  if (network.projectId !== projectId && !network.shared) {
    reasons.push('other_project');
  }
  if (network.external) {
    reasons.push('external');
  }
  if (!network.adminStateUp) {
    reasons.push('admin_down');
  }
  if (network.status !== 'ACTIVE') {
    reasons.push('not_active');
  }

  return reasons;
}

function preferenceRank(network: NetworkInfo, preferredNames: readonly string[]): number {
  const index = preferredNames.indexOf(network.name);
  return index === -1 ? preferredNames.length : index;
}

function ownershipRank(network: NetworkInfo, projectId: string): number {
  return network.projectId === projectId ? 0 : 1;
}
