/**
 * Parses the `addresses` field of a Nova server into validated IP addresses and picks the
 * primary IP the portal shows. Every `addr` is checked with `node:net` `isIP`, and a value that
 * fails is reported in `rejected` and left out of the result.
 */

import { isIP } from 'node:net';

/** One entry of a Nova `addresses` list. */
export interface NovaAddressEntry {
  addr: string;
  version: number;
  'OS-EXT-IPS:type'?: string;
  'OS-EXT-IPS-MAC:mac_addr'?: string;
}

/** Nova `addresses`: network name to the server's addresses on that network. */
export type NovaAddresses = Readonly<Record<string, readonly NovaAddressEntry[]>>;

export interface ServerAddress {
  network: string;
  /** The address as Nova sent it, with IPv6 in lower case. */
  addr: string;
  version: 4 | 6;
  /** `unknown` when Nova sent no `OS-EXT-IPS:type`. */
  type: 'fixed' | 'floating' | 'unknown';
  /** MAC address in lower case, or null when Nova sent none or an invalid one. */
  mac: string | null;
}

export type AddressRejection = 'invalid_ip' | 'version_mismatch' | 'invalid_type' | 'invalid_mac';

/** A value left out of the result. For `invalid_mac` only the MAC is left out, not the address. */
export interface RejectedAddressValue {
  network: string;
  value: unknown;
  reason: AddressRejection;
}

export interface ParsedServerAddresses {
  /** Every valid address, in Nova's order, floating ones included. */
  addresses: ServerAddress[];
  floating: ServerAddress[];
  /** See `choosePrimaryIp` for the order. Null when the server has no fixed address. */
  primaryIp: string | null;
  rejected: RejectedAddressValue[];
}

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * Parses Nova `addresses`. `ownNetworkName` is the network the portal attached the VM to, so
 * its fixed IPv4 becomes the primary IP even when the VM has ports on other networks.
 */
export function parseServerAddresses(
  addresses: NovaAddresses | null | undefined,
  ownNetworkName?: string,
): ParsedServerAddresses {
  const parsed: ServerAddress[] = [];
  const rejected: RejectedAddressValue[] = [];

  for (const [network, entries] of Object.entries(addresses ?? {})) {
    for (const entry of entries) {
      const address = parseEntry(network, entry, rejected);
      if (address !== null) {
        parsed.push(address);
      }
    }
  }

  return {
    addresses: parsed,
    floating: parsed.filter((address) => address.type === 'floating'),
    primaryIp: choosePrimaryIp(parsed, ownNetworkName),
    rejected,
  };
}

/**
 * Picks the primary IP: the fixed IPv4 on the VM's own network, then any fixed IPv4, then a
 * fixed IPv6 on its own network, then any fixed IPv6. Floating and untyped addresses never count.
 */
export function choosePrimaryIp(addresses: readonly ServerAddress[], ownNetworkName?: string): string | null {
  const fixed = addresses.filter((address) => address.type === 'fixed');

  const candidates = [
    fixed.find((address) => address.version === 4 && address.network === ownNetworkName),
    fixed.find((address) => address.version === 4),
    fixed.find((address) => address.version === 6 && address.network === ownNetworkName),
    fixed.find((address) => address.version === 6),
  ];

  return candidates.find((address) => address !== undefined)?.addr ?? null;
}

function parseEntry(network: string, entry: NovaAddressEntry, rejected: RejectedAddressValue[]): ServerAddress | null {
  const addr: unknown = entry.addr;
  const detected = typeof addr === 'string' ? isIP(addr) : 0;
  if (typeof addr !== 'string' || detected === 0) {
    rejected.push({ network, value: addr, reason: 'invalid_ip' });
    return null;
  }

  const version: 4 | 6 = detected === 4 ? 4 : 6;

  if (entry.version !== version) {
    rejected.push({ network, value: { addr, version: entry.version }, reason: 'version_mismatch' });
    return null;
  }

  const rawType = entry['OS-EXT-IPS:type'];
  if (rawType !== undefined && rawType !== 'fixed' && rawType !== 'floating') {
    rejected.push({ network, value: rawType, reason: 'invalid_type' });
    return null;
  }

  const rawMac = entry['OS-EXT-IPS-MAC:mac_addr'];
  let mac: string | null = null;
  if (rawMac !== undefined && MAC_PATTERN.test(rawMac)) {
    mac = rawMac.toLowerCase();
  } else if (rawMac !== undefined) {
    rejected.push({ network, value: rawMac, reason: 'invalid_mac' });
  }

  return {
    network,
    addr: version === 6 ? addr.toLowerCase() : addr,
    version,
    type: rawType ?? 'unknown',
    mac,
  };
}
