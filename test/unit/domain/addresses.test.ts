import { describe, expect, it } from 'vitest';

import type { NovaAddresses, ServerAddress } from '../../../src/domain/addresses.ts';
import { choosePrimaryIp, parseServerAddresses } from '../../../src/domain/addresses.ts';

const MAC = 'fa:16:3e:12:34:56';

describe('parseServerAddresses', () => {
  it('normalises fixed and floating entries', () => {
    const addresses: NovaAddresses = {
      private: [
        { addr: '10.0.0.5', version: 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'FA:16:3E:12:34:56' },
        { addr: '203.0.113.7', version: 4, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': MAC },
      ],
    };

    const result = parseServerAddresses(addresses, 'private');

    expect(result.addresses).toEqual([
      { network: 'private', addr: '10.0.0.5', version: 4, type: 'fixed', mac: MAC },
      { network: 'private', addr: '203.0.113.7', version: 4, type: 'floating', mac: MAC },
    ]);
    expect(result.floating).toEqual([result.addresses[1]]);
    expect(result.primaryIp).toBe('10.0.0.5');
    expect(result.rejected).toEqual([]);
  });

  it.each(['10.0.0.256', 'not-an-ip', '', '10.0.0.1 ', '010.0.0.1', '1.2.3'])('rejects invalid address %j', (addr) => {
    const result = parseServerAddresses({ private: [{ addr, version: 4, 'OS-EXT-IPS:type': 'fixed' }] }, 'private');

    expect(result.addresses).toEqual([]);
    expect(result.primaryIp).toBeNull();
    expect(result.rejected).toEqual([{ network: 'private', value: addr, reason: 'invalid_ip' }]);
  });

  it('rejects a non-string address', () => {
    const entry = { addr: 42, version: 4 } as unknown as { addr: string; version: number };

    const result = parseServerAddresses({ net: [entry] });

    expect(result.rejected).toEqual([{ network: 'net', value: 42, reason: 'invalid_ip' }]);
  });

  it('rejects a wrong version field', () => {
    const result = parseServerAddresses({ net: [{ addr: '10.0.0.1', version: 6, 'OS-EXT-IPS:type': 'fixed' }] });

    expect(result.addresses).toEqual([]);
    expect(result.rejected).toEqual([
      { network: 'net', value: { addr: '10.0.0.1', version: 6 }, reason: 'version_mismatch' },
    ]);
  });

  it('rejects an unknown type', () => {
    const result = parseServerAddresses({ net: [{ addr: '10.0.0.1', version: 4, 'OS-EXT-IPS:type': 'elastic' }] });

    expect(result.addresses).toEqual([]);
    expect(result.rejected).toEqual([{ network: 'net', value: 'elastic', reason: 'invalid_type' }]);
  });

  it('keeps address with invalid MAC', () => {
    const result = parseServerAddresses({
      net: [{ addr: '10.0.0.1', version: 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e' }],
    });

    expect(result.addresses).toEqual([{ network: 'net', addr: '10.0.0.1', version: 4, type: 'fixed', mac: null }]);
    expect(result.rejected).toEqual([{ network: 'net', value: 'fa:16:3e', reason: 'invalid_mac' }]);
  });

  it('marks missing type as unknown', () => {
    const result = parseServerAddresses({ net: [{ addr: '10.0.0.1', version: 4 }] });

    expect(result.addresses[0]?.type).toBe('unknown');
    expect(result.primaryIp).toBeNull();
    expect(result.floating).toEqual([]);
  });

  it('lower-cases IPv6', () => {
    const result = parseServerAddresses({ v6: [{ addr: '2001:DB8::A', version: 6, 'OS-EXT-IPS:type': 'fixed' }] });

    expect(result.addresses[0]?.addr).toBe('2001:db8::a');
  });

  it('uses fixed IPv6 when no IPv4', () => {
    const result = parseServerAddresses({
      v6only: [
        { addr: '2001:db8::10', version: 6, 'OS-EXT-IPS:type': 'fixed' },
        { addr: '2001:db8:ffff::1', version: 6, 'OS-EXT-IPS:type': 'floating' },
      ],
    });

    expect(result.primaryIp).toBe('2001:db8::10');
    expect(result.floating.map((address) => address.addr)).toEqual(['2001:db8:ffff::1']);
  });

  it('prefers own network IPv4', () => {
    const result = parseServerAddresses(
      {
        storage: [{ addr: '192.168.50.4', version: 4, 'OS-EXT-IPS:type': 'fixed' }],
        app: [
          { addr: '2001:db8::4', version: 6, 'OS-EXT-IPS:type': 'fixed' },
          { addr: '10.1.0.4', version: 4, 'OS-EXT-IPS:type': 'fixed' },
        ],
      },
      'app',
    );

    expect(result.primaryIp).toBe('10.1.0.4');
  });

  it('uses any IPv4 before own IPv6', () => {
    const result = parseServerAddresses(
      {
        storage: [{ addr: '192.168.50.4', version: 4, 'OS-EXT-IPS:type': 'fixed' }],
        app: [{ addr: '2001:db8::4', version: 6, 'OS-EXT-IPS:type': 'fixed' }],
      },
      'app',
    );

    expect(result.primaryIp).toBe('192.168.50.4');
  });

  it('never uses floating as primary', () => {
    const result = parseServerAddresses({ net: [{ addr: '203.0.113.9', version: 4, 'OS-EXT-IPS:type': 'floating' }] });

    expect(result.primaryIp).toBeNull();
    expect(result.floating).toHaveLength(1);
  });

  it.each([null, undefined, {}])('handles empty addresses %j', (addresses) => {
    expect(parseServerAddresses(addresses)).toEqual({ addresses: [], floating: [], primaryIp: null, rejected: [] });
  });

  it('keeps valid entries next to rejected ones', () => {
    const result = parseServerAddresses({
      net: [
        { addr: 'bogus', version: 4, 'OS-EXT-IPS:type': 'fixed' },
        { addr: '10.0.0.2', version: 4, 'OS-EXT-IPS:type': 'fixed' },
      ],
    });

    expect(result.addresses.map((address) => address.addr)).toEqual(['10.0.0.2']);
    expect(result.rejected).toHaveLength(1);
    expect(result.primaryIp).toBe('10.0.0.2');
  });
});

describe('choosePrimaryIp', () => {
  const fixed6Own: ServerAddress = { network: 'own', addr: '2001:db8::1', version: 6, type: 'fixed', mac: null };
  const fixed6Other: ServerAddress = { network: 'other', addr: '2001:db8::2', version: 6, type: 'fixed', mac: null };

  it('prefers own network IPv6 over other IPv6', () => {
    expect(choosePrimaryIp([fixed6Other, fixed6Own], 'own')).toBe('2001:db8::1');
  });

  it('takes first IPv6 without own network', () => {
    expect(choosePrimaryIp([fixed6Other, fixed6Own])).toBe('2001:db8::2');
  });

  it('returns null for no addresses', () => {
    expect(choosePrimaryIp([])).toBeNull();
  });
});
